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


def security_settings_get():
    """The one row of company-wide sign-in settings (created with the defaults on first use)."""
    from .models import SecuritySettings

    obj, _created = SecuritySettings.objects.get_or_create(pk=1)
    return obj


@transaction.atomic
def security_settings_update(*, actor, idle_timeout_minutes: int, expected_version: int | None):
    """HR sets the idle timeout (minutes without activity before a browser session signs out). A session
    takes the timeout in force when it signs in (so no request reads the database for it); sessions end
    after ``SESSION_COOKIE_AGE`` in any case."""
    from apps.core.concurrency import bump, check_version
    from apps.core.exceptions import PermissionDenied
    from apps.core.roles import is_hr

    from .models import SecuritySettings

    if not is_hr(actor):
        raise PermissionDenied(_("Only HR may change the sign-in settings."))
    security_settings_get()
    obj = SecuritySettings.objects.select_for_update().get(pk=1)
    check_version(obj, expected_version)
    before = {"idle_timeout_minutes": obj.idle_timeout_minutes}
    obj.idle_timeout_minutes = idle_timeout_minutes
    obj.full_clean()
    bump(obj)
    obj.save()
    audit_record(actor=actor, action="security.settings_update", obj=obj, before=before,
                 after={"idle_timeout_minutes": obj.idle_timeout_minutes})
    return obj

