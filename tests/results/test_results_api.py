"""The talent review API: models, reviews, grid, ratings, overrides and actions; versions required, 409 on a
stale one, 400 on bad input in the project's error shape; the schema documents every path."""
import pytest
from django.urls import reverse

from apps.appraisals.models import Cycle
from apps.results.models import Competency, Placement

pytestmark = pytest.mark.django_db


def test_the_whole_flow_through_the_api(org, cycle, competency_models, api_for):
    hr, lead = api_for(org.user("hr")), api_for(org.user("lead"))
    models = hr.get(reverse("api-results-models")).json()
    assert {m["family"] for m in models} == {"staff", "manager"}
    bad = hr.post(reverse("api-results-reviews"), {"cycle": cycle.pk, "ability_medium_from": "4",
                                                   "ability_high_from": "3"}, format="json")
    assert bad.status_code == 400 and "error" in bad.json()
    r = hr.post(reverse("api-results-reviews"), {"cycle": cycle.pk}, format="json")
    assert r.status_code == 201, r.content
    review = r.json()
    grid = hr.get(reverse("api-results-grid", args=[review["id"]])).json()
    assert grid["total"] == 2 and grid["unplaced"] == 2 and len(grid["cells"]) == 9
    p = Placement.objects.get(employee=org.staff)
    comps = list(Competency.objects.filter(model__family="staff").order_by("order"))
    url = reverse("api-results-ratings", args=[p.pk])
    out = lead.put(url, {"ratings": {str(c.pk): 7 for c in comps}, "submit": True}, format="json")
    assert out.status_code == 400 and out.json()["error"]["fields"]
    out = lead.put(url, {"ratings": {str(c.pk): 3 for c in comps}}, format="json")
    assert out.status_code == 200 and out.json()["status"] == "draft"
    assert lead.put(url, {"ratings": {str(c.pk): 3 for c in comps}}, format="json").status_code == 400  # no version
    stale = lead.put(url, {"ratings": {str(c.pk): 4 for c in comps}, "version": out.json()["version"] - 1},
                     format="json")
    assert stale.status_code == 409
    done = lead.put(url, {"ratings": {str(c.pk): 4 for c in comps}, "submit": True, "version": out.json()["version"]},
                    format="json")
    assert done.status_code == 200 and done.json()["average"] == "4.00"
    detail = lead.get(reverse("api-results-placement", args=[p.pk])).json()
    assert (detail["cell_performance"], detail["cell_ability"]) == ("low", "high")
    assert [a["kind"] for a in detail["actions"]] == ["pip"]
    no_reason = hr.post(reverse("api-results-override", args=[p.pk]),
                        {"performance": "medium", "ability": "high", "reason": "", "version": detail["version"]},
                        format="json")
    assert no_reason.status_code == 400
    moved = hr.post(reverse("api-results-override", args=[p.pk]),
                    {"performance": "medium", "ability": "high", "reason": "季度末大单", "version": detail["version"]},
                    format="json").json()
    assert moved["overridden"] and moved["cell_performance"] == "medium"
    pip = detail["actions"][0]
    a = lead.post(reverse("api-results-action-move", args=[pip["id"]]),
                  {"move": "confirm", "title": "改进计划", "version": pip["version"]}, format="json")
    assert a.status_code == 200 and a.json()["status"] == "confirmed"
    assert lead.post(reverse("api-results-action-move", args=[pip["id"]]),
                     {"move": "approve", "version": a.json()["version"]}, format="json").status_code == 403
    listed = hr.get(reverse("api-results-actions"), {"status": "confirmed"}).json()
    assert [x["id"] for x in listed["results"]] == [pip["id"]]


def test_no_review_for_an_unpublished_cycle_through_the_api(org, competency_models, api_for):
    import appraisal_helpers

    appraisal_helpers.sign(org, org.staff, period="2026-10")
    c = appraisal_helpers.open_cycle(org, period="2026-10")
    assert Cycle.objects.get(pk=c.pk).status != "published"
    resp = api_for(org.user("hr")).post(reverse("api-results-reviews"), {"cycle": c.pk}, format="json")
    assert resp.status_code == 400 and "cycle" in resp.json()["error"]["fields"]
    assert api_for(org.user("lead")).post(reverse("api-results-reviews"), {"cycle": c.pk},
                                          format="json").status_code == 403


def test_the_schema_documents_the_results_api(org, client_for):
    schema = client_for(org.user("hr")).get("/api/schema/").content.decode()
    for path in ("/api/v1/results/reviews/{id}/grid/", "/api/v1/results/placements/{id}/override/",
                 "/api/v1/results/placements/{id}/ratings/", "/api/v1/results/actions/{id}/move/",
                 "/api/v1/results/competency-models/"):
        assert path in schema
    assert "TalentLevelEnum" in schema
