from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "apps.appeals"
    label = "appeals"
    verbose_name = _("Appeals")

    def ready(self):
        from apps.appraisals.signals import interview_signed

        from .receivers import on_interview_signed

        interview_signed.connect(on_interview_signed, dispatch_uid="appeals.on_interview_signed")
