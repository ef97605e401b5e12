from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "apps.feedback"
    label = "feedback"
    verbose_name = _("Feedback from every source")

    def ready(self):
        from apps.core import navigation, worklist

        from .selectors import feedback_work_items, may_request_feedback

        navigation.register(navigation.NavEntry("feedback", _("Feedback requests"), "feedback:list", order=320,
                                                visible=may_request_feedback))
        worklist.register(feedback_work_items)
