"""The talent review pages as HR, the manager, an executive and the employee see them."""
import pytest
from results_helpers import rate

from apps.results.models import ActionKind, Competency, Placement, TalentAction

pytestmark = pytest.mark.django_db


def test_hr_opens_a_review_from_the_page_and_sees_the_grid(org, cycle, competency_models, client_for):
    c = client_for(org.user("hr"))
    page = c.get("/results/reviews/")
    assert page.status_code == 200 and str(cycle) in page.content.decode()
    r = c.post("/results/reviews/", {"cycle": cycle.pk})
    assert r.status_code == 302
    grid = c.get(r["Location"]).content.decode()
    assert 'id="nine-box"' in grid and "失败者" in grid and "关键员工" in grid
    assert "孙娜" in grid and "李四" in grid


def test_manager_rates_and_the_person_moves(org, review, client_for):
    p = Placement.objects.get(review=review, employee=org.staff)
    c = client_for(org.user("lead"))
    page = c.get(f"/results/people/{p.pk}/")
    assert page.status_code == 200 and 'id="rating-form"' in page.content.decode()
    comps = list(Competency.objects.filter(model__family="staff").order_by("order"))
    data = {f"c{comp.pk}": s for comp, s in zip(comps, [4, 4, 5], strict=True)}
    bad = c.post(f"/results/people/{p.pk}/rate/", {**data, f"c{comps[0].pk}": 9, "submit": "1"})
    assert bad.status_code == 400
    ok = c.post(f"/results/people/{p.pk}/rate/", {**data, "submit": "1"})
    assert ok.status_code == 302
    p.refresh_from_db()
    assert p.cell == ("low", "high")
    page = c.get(f"/results/people/{p.pk}/").content.decode()
    assert "能力强绩效差者" in page and 'id="override-form"' not in page  # only HR moves people


def test_hr_override_on_the_page_needs_a_reason(org, review, client_for):
    p = Placement.objects.get(review=review, employee=org.staff)
    c = client_for(org.user("hr"))
    r = c.post(f"/results/people/{p.pk}/override/", {"version": p.version, "performance": "high", "ability": "high",
                                                      "reason": ""})
    assert r.status_code == 400
    r = c.post(f"/results/people/{p.pk}/override/", {"version": p.version, "performance": "high", "ability": "high",
                                                      "reason": "年度重大贡献"})
    assert r.status_code == 302
    page = c.get(f"/results/people/{p.pk}/").content.decode()
    assert 'id="override-flag"' in page and "年度重大贡献" in page and "关键员工" in page
    stale = c.post(f"/results/people/{p.pk}/override/", {"version": p.version, "performance": "low", "ability": "low",
                                                          "reason": "x"})
    assert stale.status_code == 400
    p.refresh_from_db()
    assert p.cell == ("high", "high")


def test_actions_flow_on_the_pages_and_the_employee_work_list(org, review, client_for):
    rate(org, review, org.staff, [4, 4, 5])
    pip = TalentAction.objects.get(employee=org.staff, kind=ActionKind.PIP)
    hr = client_for(org.user("hr"))
    for move in ("confirm", "approve", "release"):
        pip.refresh_from_db()
        r = hr.post(f"/results/actions/{pip.pk}/", {"version": pip.version, "move": move, "title": "绩效改进计划",
                                                    "due_date": "2027-03-31"})
        assert r.status_code == 302
    pip.refresh_from_db()
    assert pip.status == "released"
    staff = client_for(org.user("staff"))
    mine = staff.get("/results/my-actions/").content.decode()
    assert "绩效改进计划" in mine
    home = staff.get("/").content.decode()
    assert "绩效改进计划" in home
    lst = hr.get("/results/actions/?status=released").content.decode()
    assert "绩效改进计划" in lst


def test_pdf_and_excel_of_the_grid(org, review, client_for):
    c = client_for(org.user("hr"))
    pdf = c.get(f"/results/reviews/{review.pk}/grid.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    xlsx = c.get(f"/results/reviews/{review.pk}/export.xlsx")
    assert xlsx.status_code == 200
    import io

    import openpyxl

    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert {r[1] for r in rows[1:]} == {"孙娜", "李四"}


def test_excel_of_the_grid_keeps_formulas_as_text(org, review, client_for):
    import io

    import openpyxl

    from apps.org.models import Employee

    Employee.objects.filter(pk=org.peer.pk).update(name_zh="=HYPERLINK(1)")
    xlsx = client_for(org.user("hr")).get(f"/results/reviews/{review.pk}/export.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [row[1] for row in ws.iter_rows(min_row=2)]
    danger = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert danger.value == "'=HYPERLINK(1)" and danger.data_type == "s"


def test_empty_states(org, cycle, competency_models, client_for):
    c = client_for(org.user("hr"))
    assert 'id="empty"' in c.get("/results/reviews/").content.decode()
    assert 'id="empty"' in client_for(org.user("staff")).get("/results/my-actions/").content.decode()
