from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "apps.appeals"
    label = "appeals"
    verbose_name = _("Appeals")

    def ready(self):
        from apps.appraisals.signals import interview_signed
        from apps.core import navigation, panels, worklist
        from apps.org import demo

        from . import selectors, tasks  # noqa: F401 (the tasks register with Celery)
        from .demo import seed_demo_appeals
        from .receivers import on_interview_signed

        interview_signed.connect(on_interview_signed, dispatch_uid="appeals.on_interview_signed")
        navigation.register(navigation.NavEntry("appeals", _("Appeals"), "appeals:home", order=360))
        panels.register("appraisal.detail", selectors.appraisal_panel)
        worklist.register(selectors.appeal_work_items)
        if seed_demo_appeals not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(seed_demo_appeals)
