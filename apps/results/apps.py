from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "apps.results"
    label = "results"
    verbose_name = _("Talent review")

    def ready(self):
        from apps.appraisals.signals import appraisal_published, appraisal_result_corrected
        from apps.core import navigation, panels, worklist
        from apps.org import demo

        from . import selectors
        from .demo import seed_demo_results
        from .receivers import on_appraisal_published, on_result_corrected

        appraisal_result_corrected.connect(on_result_corrected, dispatch_uid="results.on_result_corrected")
        appraisal_published.connect(on_appraisal_published, dispatch_uid="results.on_appraisal_published")
        navigation.register(navigation.NavEntry("results", _("Talent review"), "results:home", order=380,
                                                visible=selectors.has_results_menu))
        worklist.register(selectors.talent_work_items)
        panels.register("appraisal.detail", selectors.agreed_actions_panel)
        if seed_demo_results not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(seed_demo_results)
