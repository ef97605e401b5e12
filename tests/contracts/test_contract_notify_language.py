"""Contract notifications speak the recipient's language, not the language of whoever acted."""
import pytest
from contract_helpers import draft
from django.utils import translation

from apps.accounts.services import user_language_set
from apps.contracts import services
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_an_english_employee_hears_of_a_proposal_by_a_chinese_lead_in_english(org):
    user_language_set(user=org.staff.user, language="en")
    user_language_set(user=org.lead.user, language="zh-hans")
    c = draft(org)
    with translation.override("zh-hans"):  # the lead's request
        c = services.contract_propose(actor=org.user("lead"), contract=c)
    note = Notification.objects.filter(recipient=org.staff.user).latest("pk")
    assert note.title.startswith("Your KPI contract for 2026-11 is proposed"), note.title
    assert "proposed your performance contract" in note.body
    # and the Chinese lead hears of the English employee's signature in Chinese, with the name in Chinese
    with translation.override("en"):  # the employee's request
        services.contract_sign(actor=org.user("staff"), contract=c)
    note = Notification.objects.filter(recipient=org.lead.user).latest("pk")
    assert org.staff.name_zh in note.title and "Contract" not in note.title, note.title


def test_a_returned_contract_is_announced_in_each_writers_language(org):
    user_language_set(user=org.lead.user, language="en")
    c = services.contract_propose(actor=org.user("lead"), contract=draft(org))
    with translation.override("zh-hans"):  # the employee returns it
        services.contract_return(actor=org.user("staff"), contract=c, reason="目标太高")
    note = Notification.objects.filter(recipient=org.lead.user).latest("pk")
    assert note.title == f"The KPI contract of {org.staff.name_en} for 2026-11 was returned"
    assert note.body == "目标太高"
