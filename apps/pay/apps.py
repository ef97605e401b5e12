from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayConfig(AppConfig):
    name = "apps.pay"
    label = "pay"
    verbose_name = _("Pay")

    def ready(self):
        from apps.appraisals.signals import appraisal_result_corrected
        from apps.core import navigation, worklist
        from apps.org import demo

        from . import selectors
        from .demo import seed_demo_pay
        from .receivers import on_result_corrected

        appraisal_result_corrected.connect(on_result_corrected, dispatch_uid="pay.on_result_corrected")
        navigation.register(navigation.NavEntry("pay", _("Pay"), "pay:home", order=420))
        worklist.register(selectors.pay_work_items)
        if seed_demo_pay not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(seed_demo_pay)
