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
