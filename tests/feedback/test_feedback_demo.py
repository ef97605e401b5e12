"""The feedback demo: one request on the sales manager, seeded once, two answers, no e-mail sent."""
import pytest
from django.core import mail

from apps.feedback.demo import seed_demo_feedback
from apps.feedback.models import FeedbackAnswer, FeedbackRequest
from apps.org import demo

pytestmark = pytest.mark.django_db


def test_demo_feedback_is_seeded_once_without_mail(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [seed_demo_feedback])
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed_demo_organisation()
        demo.seed_demo_organisation()
    assert FeedbackRequest.objects.count() == 1 and FeedbackAnswer.objects.count() == 2
    assert mail.outbox == []
