from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "apps.policy"
    label = "policy"
    verbose_name = _("Performance policy")

    def ready(self):
        from apps.core import navigation, worklist

        from . import selectors

        navigation.register(navigation.NavEntry("policy", _("Performance policy"), "policy:home", order=520,
                                                group="org"))
        worklist.register(selectors.policy_work_items)
