from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterviewsConfig(AppConfig):
    name = "apps.interviews"
    label = "interviews"
    verbose_name = _("Feedback interviews")

    def ready(self):
        from apps.appraisals.signals import appraisal_published
        from apps.core import navigation, panels, worklist
        from apps.org import demo

        from . import selectors
        from .demo import seed_demo_interviews
        from .receivers import on_appraisal_published

        appraisal_published.connect(on_appraisal_published, dispatch_uid="interviews.on_appraisal_published")
        navigation.register(navigation.NavEntry("interviews", _("Interviews"), "interviews:home", order=350,
                                                visible=selectors.has_interviews_menu))
        worklist.register(selectors.interview_work_items)
        panels.register("appraisal.detail", selectors.previous_plan_panel)
        if seed_demo_interviews not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(seed_demo_interviews)
