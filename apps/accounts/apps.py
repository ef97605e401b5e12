from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from apps.core import navigation
        from apps.core.roles import is_hr

        navigation.register(navigation.NavEntry("home", _("My work"), "home", order=0))
        navigation.register(navigation.NavEntry("audit", _("Audit trail"), "core:audit", order=900, visible=is_hr))
        navigation.register(navigation.NavEntry("security", _("Sign-in settings"), "accounts:security", order=910,
                                                visible=is_hr, group="settings"))

        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import pre_save

        from . import security
        from .middleware import note_activity_at_sign_in

        user_login_failed.connect(security.on_login_failed, dispatch_uid="accounts-address-failures")
        user_logged_in.connect(note_activity_at_sign_in, dispatch_uid="accounts-idle-clock")
        pre_save.connect(security.revoke_on_credential_change, sender=get_user_model(),
                         dispatch_uid="accounts-revoke-tokens")
