from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "apps.policy"
    label = "policy"
    verbose_name = _("Performance policy")

    def ready(self):
        from apps.core import navigation, worklist
        from apps.org import demo

        from . import selectors
        from .demo import seed_demo_policy

        navigation.register(navigation.NavEntry("policy", _("Performance policy"), "policy:home", order=520,
                                                group="org"))
        worklist.register(selectors.policy_work_items)
        if seed_demo_policy not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(seed_demo_policy)
