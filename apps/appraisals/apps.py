from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalsConfig(AppConfig):
    name = "apps.appraisals"
    label = "appraisals"
    verbose_name = _("Appraisals")

    def ready(self):
        from apps.core import navigation, worklist
        from apps.org import demo

        from . import selectors, tasks  # noqa: F401 - registers the tasks the services queue by name
        from .demo import seed_demo_appraisals
        from .services import printing  # noqa: F401 - registers the document kind "appraisals.forms"

        navigation.register(navigation.NavEntry("appraisals", _("Appraisals"), "appraisals:home", order=300))
        worklist.register(selectors.appraisal_work_items)
        if seed_demo_appraisals not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(seed_demo_appraisals)
