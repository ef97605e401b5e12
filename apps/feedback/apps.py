from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "apps.feedback"
    label = "feedback"
    verbose_name = _("Feedback from every source")

    def ready(self):
        from apps.core import navigation, panels, worklist
        from apps.org import demo

        from .demo import seed_demo_feedback
        from .selectors import feedback_file_panel, feedback_work_items

        # visible to everyone (no query per page): managers and HR see their requests there, everyone
        # else the feedback asked of them
        navigation.register(navigation.NavEntry("feedback", _("Feedback"), "feedback:list", order=320,
                                                group="coaching"))
        worklist.register(feedback_work_items)
        panels.register("coaching.file", feedback_file_panel)  # the feedback joins the performance file
        if seed_demo_feedback not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(seed_demo_feedback)
