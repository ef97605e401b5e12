from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "apps.plans"
    label = "plans"
    verbose_name = _("Strategy, goals and work plans")

    def ready(self):
        from apps.core import navigation, worklist
        from apps.core.roles import is_hr
        from apps.org import demo as org_demo

        from . import work
        from .demo import seed_plans_demo

        navigation.register(navigation.NavEntry("plans_goals", _("Goals"), "plans:goal_tree", order=200))
        navigation.register(navigation.NavEntry("plans_my_plan", _("My plan"), "plans:my_plan", order=210,
                                                visible=work.nav_files_plans))
        navigation.register(navigation.NavEntry("plans_team", _("Team plans"), "plans:team", order=220,
                                                visible=work.nav_team))
        navigation.register(navigation.NavEntry("plans_strategy", _("Strategy"), "plans:strategy", order=230))
        navigation.register(navigation.NavEntry("plans_settings", _("Plan deadlines"), "plans:settings", order=820,
                                                visible=is_hr))
        worklist.register(work.work_items)
        if seed_plans_demo not in org_demo.DEMO_HOOKS:
            org_demo.DEMO_HOOKS.append(seed_plans_demo)
