from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "apps.contracts"
    label = "contracts"
    verbose_name = _("KPI contracts")

    def ready(self):
        from apps.core import navigation, worklist
        from apps.core.roles import is_hr
        from apps.org import demo

        from . import selectors
        from .demo import seed_demo_contracts

        navigation.register(navigation.NavEntry("contracts", _("KPI contracts"), "contracts:list", order=200))
        navigation.register(navigation.NavEntry("indicators", _("Indicator library"), "contracts:indicators",
                                                order=210, visible=is_hr))
        # templates and the rule simulator are reached from the contract list and the indicator library
        worklist.register(selectors.contract_work_items)
        if seed_demo_contracts not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(seed_demo_contracts)
