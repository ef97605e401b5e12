from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "apps.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from apps.core import navigation
        from apps.core.roles import is_hr

        navigation.register(navigation.NavEntry("org_chart", _("Org chart"), "org:chart", order=500))
        navigation.register(navigation.NavEntry("directory", _("Directory"), "org:directory", order=510))
        navigation.register(navigation.NavEntry("job_levels", _("Job levels"), "org:job_levels", order=790,
                                                visible=is_hr))
        navigation.register(navigation.NavEntry("org_import", _("Import organisation"), "org:import", order=800,
                                                visible=is_hr))
