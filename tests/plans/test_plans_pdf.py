"""The monthly plan as a PDF in the product's printed look: items, weights, signatures, Chinese; 404 for
whoever may not see the plan."""
import pytest
from django.urls import reverse

from apps.core.pdf import pdf_text

pytestmark = pytest.mark.django_db


def test_the_plan_prints_its_items_and_signatures(org, client_for, make_plan):
    plan = make_plan(state="confirmed")
    r = client_for(org.user("staff")).get(reverse("plans:plan_pdf", args=[plan.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = "".join(pdf_text(r.content).split())
    for word in ("月度工作计划", "孙娜", "周主管", "Task1", "Result2", "60%", "40%", "100%"):
        assert word in text, word
    page = client_for(org.user("staff")).get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    assert reverse("plans:plan_pdf", args=[plan.pk]) in page


@pytest.mark.parametrize("who", ["peer", "accountant"])
def test_others_get_404(org, client_for, make_plan, who):
    plan = make_plan()
    assert client_for(org.user(who)).get(reverse("plans:plan_pdf", args=[plan.pk])).status_code == 404
