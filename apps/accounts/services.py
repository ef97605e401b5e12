from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import audit_record
from apps.core.exceptions import ApplicationError

from .models import UserPreference


@transaction.atomic
def user_language_set(*, user, language: str) -> UserPreference:
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Unknown language: %(code)s") % {"code": language}, field="language")
    pref, _created = UserPreference.objects.select_for_update().get_or_create(user=user)
    before = pref.language
    if before != language:
        pref.language = language
        pref.full_clean()
        pref.save(update_fields=["language"])
        audit_record(actor=user, action="user.language_set", obj=pref, before={"language": before},
                     after={"language": language})
    return pref
