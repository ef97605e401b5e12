"""Pay is the most confidential data: a matrix over every pay page, API operation and export for eight
people. HR and finance see pay data; the general manager sees totals and approves; a manager sees only the
proposals for their own team (not their own); an employee sees only their own released payout; the team
result is open to the team. Everyone else gets 404, and their attempts write nothing."""
import datetime as dt

import pytest
from django.urls import reverse
from pay_helpers import fresh
from test_pay_proposals import CELLS

from apps.contracts.models import Indicator
from apps.core.models import AuditEvent
from apps.notifications.models import Notification
from apps.org import services as org_services
from apps.pay import services
from apps.pay.models import BudgetKind, PayoutRun, PayProfile, PoolKind, SalaryProposal

pytestmark = pytest.mark.django_db

ROLES = ("hr", "finance", "gm", "manager", "lead", "staff", "peer", "other_manager")


@pytest.fixture
def world(org, paid_cycle, finance, django_capture_on_commit_callbacks):
    hr, gm = org.user("hr"), fresh(org.user("gm"))
    services.team_rule_save(actor=hr, department=org.sales_east, indicator=Indicator.objects.get(code="SALES-MONTH"),
                            min_growth_pct="10", pool_kind=PoolKind.FIXED, pool_amount="900")
    [result] = services.team_reward_evaluate(actor=hr, cycle=paid_cycle)
    run = services.run_approve(actor=gm, run=services.run_submit(actor=hr, run=services.run_compute(
        actor=hr, cycle=paid_cycle)))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_release(actor=hr, run=run)
    services.merit_matrix_set(actor=hr, cycle=paid_cycle, cells=CELLS, effective_date="2027-01-01")
    services.budget_set(actor=hr, cycle=paid_cycle, department=org.sales, kind=BudgetKind.RAISE, amount_value="5000")
    proposal = services.proposal_create(actor=org.user("lead"), cycle=paid_cycle, employee=org.staff,
                                        increase_pct="3")
    # a proposal about the lead himself, made by his manager: the lead must not see it
    own = SalaryProposal.objects.create(
        cycle=paid_cycle, employee=org.lead, department=org.sales_east, proposed_by=org.manager, grade="A",
        current_salary="15000", quartile=2, guideline_min=3, guideline_max=5, increase_pct=4, increase_amount="600",
        new_salary="15600", effective_date=dt.date(2027, 1, 1), justification="主管自己的调薪")
    fin_mgr = org_services.employee_create(
        actor=org.actor, employee_no="FM1", name_zh="财务经理", department=org.finance, position=org.pos_fin,
        supervisor=org.gm, hire_date=dt.date(2024, 1, 1), email="fm@example.com", username="finmgr",
        password="pw-Test-1234")
    org_services.employee_create(
        actor=org.actor, employee_no="F2", name_zh="出纳", department=org.finance, position=org.pos_fin,
        supervisor=fin_mgr, hire_date=dt.date(2024, 1, 1), username="cashier", password="pw-Test-1234")
    people = {"hr": hr, "finance": finance, "gm": gm, "manager": org.user("manager"), "lead": org.user("lead"),
              "staff": org.user("staff"), "peer": org.user("peer"), "other_manager": fresh(fin_mgr.user)}
    return {"run": run, "proposal": proposal, "own": own, "result": result, "cycle": paid_cycle, "people": people}


PAY_DATA = {"hr", "finance"}
TOTALS = {"hr", "finance", "gm"}
TEAM = {"hr", "finance", "gm", "manager", "lead", "staff", "peer"}
PROPOSALS = {"hr", "finance", "gm", "manager", "lead"}


def endpoints(w, org):
    run, p, cycle, result = w["run"], w["proposal"], w["cycle"], w["result"]
    staff = org.staff.pk
    return [
        ("page: runs", reverse("pay:runs"), TOTALS),
        ("page: run", reverse("pay:run", args=[run.pk]), TOTALS),
        ("export: xlsx", reverse("pay:run_export", args=[run.pk, "xlsx"]), PAY_DATA),
        ("export: csv", reverse("pay:run_export", args=[run.pk, "csv"]), PAY_DATA),
        ("page: pay data", reverse("pay:data"), PAY_DATA),
        ("page: pay data of one", reverse("pay:data_edit", args=[staff]), PAY_DATA),
        ("page: import", reverse("pay:data_import"), PAY_DATA),
        ("page: cycle settings", reverse("pay:cycle_settings", args=[cycle.pk]), TOTALS),
        ("page: proposals", reverse("pay:proposals"), PROPOSALS | {"other_manager"}),
        ("page: team rule", reverse("pay:team_rule", args=[result.rule_id]), TOTALS),
        ("page: team result", reverse("pay:team", args=[result.pk]), TEAM),
        ("page: teams", reverse("pay:teams"), set(ROLES)),
        ("page: mine", reverse("pay:mine"), set(ROLES)),
        ("API: profiles", reverse("api-pay-profiles"), PAY_DATA),
        ("API: profile", reverse("api-pay-profile", args=[staff]), PAY_DATA),
        ("API: cycle settings", reverse("api-pay-cycle", args=[cycle.pk]), TOTALS),
        ("API: runs", reverse("api-pay-runs"), TOTALS),
        ("API: run", reverse("api-pay-run", args=[run.pk]), TOTALS),
        ("API: run lines", reverse("api-pay-run-lines", args=[run.pk]), PAY_DATA),
        ("API: export xlsx", reverse("api-pay-run-export", args=[run.pk, "xlsx"]), PAY_DATA),
        ("API: export csv", reverse("api-pay-run-export", args=[run.pk, "csv"]), PAY_DATA),
        ("API: proposal", reverse("api-pay-proposal", args=[p.pk]), PROPOSALS),
        ("API: team rules", reverse("api-pay-team-rules"), TOTALS),
    ]


def test_reads_answer_404_to_whoever_may_not_see(org, world, client_for, api_for):
    failures = []
    for name, url, allowed in endpoints(world, org):
        for role in ROLES:
            user = world["people"][role]
            c = api_for(user) if name.startswith("API") else client_for(user)
            status = c.get(url).status_code
            want = 200 if role in allowed else 404
            if status != want:
                failures.append(f"{name} as {role}: {status}, expected {want}")
    assert not failures, "\n".join(failures)


def test_lists_show_each_person_only_what_is_theirs(org, world, client_for, api_for):
    ppl = world["people"]
    mine = {r: client_for(ppl[r]).get(reverse("pay:mine")).content.decode() for r in ROLES}
    assert "3600.00" in mine["staff"] and "2044.44" not in mine["staff"]
    assert "2044.44" in mine["peer"] and "3600.00" not in mine["peer"]
    assert all("3600.00" not in mine[r] for r in ROLES if r != "staff")
    for role in ROLES:
        got = {p["employee_no"] for p in api_for(ppl[role]).get(reverse("api-pay-proposals")).json()["results"]}
        want = {"S1", "L1"} if role in TOTALS or role == "manager" else {"S1"} if role == "lead" else set()
        assert got == want, role
    lead_page = client_for(ppl["lead"]).get(reverse("pay:proposals")).content.decode()
    assert "主管自己的调薪" not in lead_page and "孙娜" in lead_page
    for role in ROLES:
        teams = {r["team"] for r in api_for(ppl[role]).get(reverse("api-pay-team-results")).json()["results"]}
        assert teams == ({org.sales_east.pk} if role in TEAM else set()), role
        mine_api = api_for(ppl[role]).get(reverse("api-pay-mine")).json()["results"]
        assert [m["employee_no"] for m in mine_api] == ({"staff": ["S1"], "peer": ["S2"]}.get(role, []))


def test_the_general_manager_sees_totals_but_no_ones_pay(org, world, client_for):
    page = client_for(world["people"]["gm"]).get(reverse("pay:run", args=[world["run"].pk])).content.decode()
    assert "5644.44" in page
    for secret in ("孙娜", "3600.00", "2044.44", "3000.00", "export-xlsx"):
        assert secret not in page


def test_writes_by_outsiders_answer_404_and_change_nothing(org, world, client_for, api_for):
    run, p = world["run"], world["proposal"]
    before = AuditEvent.objects.count()
    for role in ("manager", "lead", "staff", "peer", "other_manager"):
        user = world["people"][role]
        api = api_for(user)
        assert api.put(reverse("api-pay-profile", args=[org.staff.pk]), {"base_pay": "1", "version": 1},
                       format="json").status_code == 404
        assert api.post(reverse("api-pay-run-approve", args=[run.pk]), {"version": run.version},
                        format="json").status_code == 404
        assert api.post(reverse("api-pay-runs"), {"cycle": world["cycle"].pk}, format="json").status_code == 404
        assert api.put(reverse("api-pay-coefficients", args=[world["cycle"].pk]),
                       {"coefficients": {"A": "9"}}, format="json").status_code == 404
        status = api.post(reverse("api-pay-proposal-approve", args=[p.pk]), {"version": p.version},
                          format="json").status_code
        assert status == 404, role
        assert client_for(user).post(reverse("pay:run_release", args=[run.pk]), {"version": run.version}
                                     ).status_code == 404
    assert AuditEvent.objects.count() == before
    assert PayProfile.objects.get(employee=org.staff).base_pay == 3000
    assert PayoutRun.objects.get(pk=run.pk).version == run.version


def test_finance_reads_but_does_not_change_settings(org, world, api_for):
    api = api_for(world["people"]["finance"])
    r = api.put(reverse("api-pay-coefficients", args=[world["cycle"].pk]),
                {"coefficients": {"S": "1", "A": "1", "B": "1", "C": "1", "D": "1"}, "version": 1}, format="json")
    assert r.status_code == 403


def test_notifications_carry_no_amount(org, world):
    notes = list(Notification.objects.filter(recipient=org.user("staff"), url__contains="/pay/"))
    assert [n.url.endswith("/pay/mine/") for n in notes] == [True]
    assert "3600" not in notes[0].title + notes[0].body
    assert not Notification.objects.filter(recipient=org.user("peer"), url__contains="/pay/runs/").exists()
