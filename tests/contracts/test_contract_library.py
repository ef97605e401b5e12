"""The indicator library, templates, the rule simulator and `POST /api/v1/scoring/preview`."""
import importlib

import pytest
from contract_helpers import DECK, staff_template
from django.urls import reverse
from django.utils.translation import override

from apps.contracts import services
from apps.contracts.models import ContractTemplate, Indicator
from apps.contracts.seed import INDICATORS
from apps.core.exceptions import ApplicationError
from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _run_seed_migration():
    from django.apps import apps

    migration = importlib.import_module("apps.contracts.migrations.0002_seed_indicator_library")
    [operation] = migration.Migration.operations  # a data migration: every install gets the library
    operation.code(apps, None)


def test_the_decks_indicators_exist_in_every_install(db):
    # Transactional tests elsewhere in the run flush the tables, so run the data migration again here.
    Indicator.objects.all().delete()
    _run_seed_migration()
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {row[0] for row in INDICATORS} == codes
    sales = Indicator.objects.get(code="SALES-MONTH")
    assert sales.name_zh == "月度销售额目标完成率" and sales.default_rule == DECK
    assert sales.default_data_source is None  # a fresh install has no 财务部 yet
    assert Indicator.objects.get(code="HR-CORE-TURNOVER").direction == "lower"
    for code in ("HR-PROFIT-PER-HEAD", "HR-CAREER-PLAN", "HR-TRAINING-HOURS", "HR-SATISFACTION",
                 "HR-PROBATION-PASS"):
        assert Indicator.objects.filter(code=code).exists()
    _run_seed_migration()
    assert Indicator.objects.count() == len(codes)  # idempotent


def test_seeding_again_links_the_data_source_and_duplicates_nothing(org):
    services.indicator_library_seed(actor=org.actor)
    sales = Indicator.objects.get(code="SALES-MONTH")
    services.indicator_update(actor=org.actor, indicator=sales, default_data_source=None)
    before = Indicator.objects.count()
    result = services.indicator_library_seed(actor=org.actor)
    assert result == {"created": 0, "linked": 1}
    assert Indicator.objects.get(code="SALES-MONTH").default_data_source == org.finance
    assert services.indicator_library_seed(actor=org.actor) == {"created": 0, "linked": 0}
    assert Indicator.objects.count() == before
    assert AuditEvent.objects.filter(action="indicator.seed").exists()


def test_hr_maintains_indicators_through_the_page(org, client_for):
    client = client_for(org.user("hr"))
    data = {"code": "QA-RATE", "name_zh": "一次交验合格率", "name_en": "First-pass yield", "direction": "higher",
            "unit": "%", "kpi_type": "numeric", "dimension": "quality", "perspective": "internal_process",
            "indicator_class": "kpi", "default_data_source": org.finance.pk,
            "default_rule": '{"kind": "bands", "bands": [{"min": 98, "score": 100}, {"min": 0, "score": 60}]}',
            "is_active": "on"}
    assert client.post(reverse("contracts:indicator_new"), data).status_code == 302
    ind = Indicator.objects.get(code="QA-RATE")
    assert ind.default_rule["kind"] == "bands" and ind.default_data_source == org.finance
    bad = client.post(reverse("contracts:indicator", args=[ind.pk]),
                      {**data, "default_rule": '{"kind": "linear", "floor": 200}', "version": ind.version})
    assert bad.status_code == 200 and "封顶" in bad.content.decode()  # floor above cap, in Chinese
    listing = client.get(reverse("contracts:indicators"), {"q": "合格率"}).content.decode()
    assert "QA-RATE" in listing and "月度销售额" not in listing


def test_template_per_position_wins_over_the_job_levels(org):
    level_tpl = staff_template(org, code="TPL-LEVEL")
    pos_tpl = staff_template(org, code="TPL-POS", position=org.pos_staff)
    assert services.default_template(org.staff) == pos_tpl
    assert services.default_template(org.accountant) == level_tpl
    with pytest.raises(ApplicationError):
        services.template_create(actor=org.actor, code="X", name_zh="无对象")


def test_template_api_round_trip(org, api_for):
    services.indicator_library_seed(actor=org.actor)
    sales = Indicator.objects.get(code="SALES-MONTH")
    api = api_for(org.user("hr"))
    resp = api.post(reverse("api-contract-templates"), {
        "code": "TPL-API", "name_zh": "接口模板", "job_level": org.level_s.pk, "results_weight": "100",
        "behaviour_weight": "0", "lines": [{"indicator": sales.pk, "weight": "100", "target": "1200",
                                            "rule": DECK, "data_source": org.finance.pk}]}, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["lines"][0]["indicator_code"] == "SALES-MONTH"
    resp = api.patch(reverse("api-contract-template", args=[body["id"]]),
                     {"version": body["version"], "lines": [{**body["lines"][0], "target": "1300"}]}, format="json")
    assert resp.status_code == 200 and resp.json()["lines"][0]["target"] == "1300.0000"
    assert api_for(org.user("lead")).patch(reverse("api-contract-template", args=[body["id"]]),
                                           {"name_zh": "x"}, format="json").status_code == 403
    assert ContractTemplate.objects.get(code="TPL-API").lines.count() == 1


def test_template_pages(org, client_for):
    tpl = staff_template(org)
    client = client_for(org.user("hr"))
    listing = client.get(reverse("contracts:templates")).content.decode()
    assert "TPL-S" in listing
    page = client.get(reverse("contracts:template", args=[tpl.pk]))
    assert page.status_code == 200 and "月度销售额目标完成率" in page.content.decode()


# --- the rule simulator ------------------------------------------------------------------------------

@pytest.mark.parametrize("attainment,score", [(0, "0.00"), (50, "0.00"), (95, "75.00"), (100, "100.00"),
                                              (110, "150.00"), (200, "150.00")])
def test_scoring_preview_api_for_the_decks_rule(org, api_for, attainment, score):
    resp = api_for(org.user("staff")).post("/api/v1/scoring/preview", {
        "rule": DECK, "inputs": {"target": 100, "actual": attainment}}, format="json")
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["score"] == score and body["attainment"] == f"{attainment}.00"
    assert body["explanation"] and body["curve_svg"].startswith("<svg")
    assert len(body["curve"]) == 41


def test_scoring_preview_explains_in_the_users_language(org, api_for):
    api = api_for(org.user("staff"))
    zh = api.post("/api/v1/scoring/preview", {"rule": DECK, "inputs": {"target": 1200, "actual": 1140}},
                  format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert zh["score"] == "75.00" and "实际" in zh["explanation"]
    en = api.post("/api/v1/scoring/preview", {"rule": DECK, "inputs": {"target": 1200, "actual": 1140}},
                  format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "actual 1140 / target 1200 = 95.00%" in en["explanation"]


def test_scoring_preview_refuses_bad_input_clearly(org, api_for):
    api = api_for(org.user("staff"))
    resp = api.post("/api/v1/scoring/preview", {"rule": DECK, "inputs": {"target": 0, "actual": 1}},
                    format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400 and resp.json()["error"]["message"] == "The target cannot be 0."
    resp = api.post("/api/v1/scoring/preview", {"rule": {"kind": "zigzag"}}, format="json")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "scoring_invalid"
    resp = api.post("/api/v1/scoring/preview", {"rule": {"kind": "direct"}, "inputs": {"value": 120}},
                    format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400 and "outside the range" in resp.json()["error"]["message"]
    assert resp.json()["error"]["fields"] == {"value": resp.json()["error"]["message"]}
    # a kind without an attainment axis: the score, no curve
    ok = api.post("/api/v1/scoring/preview", {"rule": {"kind": "milestones"},
                                              "inputs": {"milestones_done": 3, "milestones_total": 4}},
                  format="json").json()
    assert ok["score"] == "75.00" and ok["curve_svg"] is None


def test_simulator_page_shows_the_decks_rule_at_sample_attainments(org, client_for):
    with override("en"):
        page = client_for(org.user("hr")).get(reverse("contracts:simulator")).content.decode()
    for attainment, score in (("0", "0.00"), ("50", "0.00"), ("100", "100.00"), ("110", "150.00"),
                              ("200", "150.00")):
        assert f'data-attainment="{attainment}">{score}<' in page
    assert "<svg" in page and 'id="sim-score">75.00<' in page


def test_simulator_page_posts_a_bands_rule_and_shows_errors(org, client_for):
    client = client_for(org.user("hr"))
    page = client.post(reverse("contracts:simulator"), {
        "kind": "bands", "direction": "higher", "bands": "100: 100\n90: 80\n0: 0", "target": "100",
        "actual": "90"}).content.decode()
    assert 'id="sim-score">80.00<' in page
    page = client.post(reverse("contracts:simulator"), {
        "kind": "linear", "direction": "higher", "base": "100", "down": "5", "up": "5", "floor": "200",
        "cap": "150", "target": "100", "actual": "90"}).content.decode()
    assert 'id="simulator-error"' in page
