from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    name = "apps.coaching"
    label = "coaching"
    verbose_name = _("Coaching")

    def ready(self):
        from apps.core import navigation, worklist
        from apps.core.roles import is_hr
        from apps.org import demo

        from .demo import seed_demo_coaching
        from .selectors import coaching_work_items, manages_people

        navigation.register(navigation.NavEntry("coaching", _("Coaching"), "coaching:list", order=300))
        navigation.register(navigation.NavEntry("coaching_team", _("Team coaching"), "coaching:team", order=310,
                                                visible=manages_people))
        navigation.register(navigation.NavEntry("coaching_settings", _("Coaching settings"), "coaching:settings",
                                                order=820, visible=is_hr))
        worklist.register(coaching_work_items)
        if seed_demo_coaching not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(seed_demo_coaching)
