from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "apps.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from apps.core import navigation
        from apps.org import demo

        from .demo import seed_demo_dashboards

        navigation.register(navigation.NavEntry("dashboards", _("Dashboards"), "dashboards:home", order=150))
        if seed_demo_dashboards not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(seed_demo_dashboards)
