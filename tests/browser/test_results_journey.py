"""The talent review in a browser, in zh-Hans: the manager rates the team; HR opens the grid, moves one person
with a reason, confirms a PIP and a training action and releases them; the employee sees the released PIP on
the work list. Screenshots of the grid and a person's page at 1280 and 390 px go to $SHOTS_DIR when set."""
import os
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "results"))
from results_helpers import make_models, published_cycle  # noqa: E402

from apps.results import services  # noqa: E402
from apps.results.models import ActionKind, Competency, Placement, TalentAction  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Test-1234"
SHOTS = os.environ.get("SHOTS_DIR")


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()


def shot(page, name):
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def rate(page, base, placement, scores):
    page.goto(f"{base}/results/people/{placement.pk}/")
    page.click("#rate summary")
    comps = Competency.objects.filter(model__family="staff").order_by("order")
    for comp, score in zip(comps, scores, strict=True):
        page.select_option(f"select[name=c{comp.pk}]", str(score))
    page.click("#submit-ratings")
    expect(page.locator("#ratings-card table")).to_be_visible()


def test_talent_review_from_ratings_to_the_employees_work_list(org, live_server, page):
    cycle = published_cycle(org, [org.staff, org.peer])
    make_models(org)
    review = services.review_create(actor=org.user("hr"), cycle=cycle)
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    page.on("dialog", lambda d: d.accept())
    staff_p = Placement.objects.get(review=review, employee=org.staff)
    peer_p = Placement.objects.get(review=review, employee=org.peer)

    # the manager rates the team
    login(page, base, "lead")
    rate(page, base, staff_p, [4, 4, 5])
    expect(page.locator("#category-name")).to_have_text("能力强绩效差者")
    rate(page, base, peer_p, [3, 3, 3])
    expect(page.locator("#category-name")).to_have_text("有潜力者")

    # HR opens the grid and moves 孙娜 with a reason
    login(page, base, "hr")
    page.goto(f"{base}/results/")
    expect(page.locator("#nine-box")).to_be_visible()
    expect(page.locator("[data-cell=low-high] .nb-count")).to_have_attribute("data-count", "1")
    shot(page, "grid")
    page.click("[data-person=S1]")
    page.click("#override summary")
    page.select_option("#override-form select[name=performance]", "medium")
    page.select_option("#override-form select[name=ability]", "high")
    page.fill("#override-form textarea[name=reason]", "季度末签下大单，校准会议决定上调")
    page.click("#override-form button[type=submit]")
    expect(page.locator("#override-flag")).to_be_visible()
    expect(page.locator("#category-name")).to_have_text("高潜力者")
    shot(page, "person")
    pdf = page.request.get(f"{base}/results/reviews/{review.pk}/grid.pdf")
    assert pdf.ok and pdf.body()[:4] == b"%PDF"
    if SHOTS:
        Path(f"{SHOTS}/grid.pdf").write_bytes(pdf.body())

    # HR confirms the PIP and the training action of 李四 and releases them
    page.goto(f"{base}/results/people/{peer_p.pk}/")
    for kind in (ActionKind.PIP, ActionKind.TRAINING):
        a = TalentAction.objects.get(placement=peer_p, kind=kind)
        for move in ("confirm", "approve", "release"):
            page.click(f"#action-{a.pk} [data-move={move}]")
        expect(page.locator(f"#action-{a.pk}")).to_have_attribute("data-status", "released")

    # 李四 sees the released PIP on the work list
    login(page, base, "peer")
    page.goto(f"{base}/")
    expect(page.get_by_text("绩效改进计划").first).to_be_visible()
    page.goto(f"{base}/results/my-actions/")
    expect(page.locator("[data-kind=pip]")).to_be_visible()
    shot(page, "my-actions")
    page.goto(f"{base}/results/reviews/{review.pk}/")
    assert page.locator("#nine-box").count() == 0  # an employee without a team has no grid
