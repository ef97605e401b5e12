"""The plans API: thin. One view per operation, the same selectors and services as the pages.
One module per area (``api_urls.py`` names the views from here): ``strategy``, ``goals``,
``monthly`` (monthly work plans), ``onboarding`` (acknowledgements), ``deadlines`` (HR's settings).
"""
from .deadlines import PlanSettingsApi
from .goals import (
    GoalApproveApi,
    GoalChangeRequestApi,
    GoalDetailApi,
    GoalListApi,
    GoalProgressApi,
    GoalTreeApi,
)
from .monthly import (
    MonthlyPlanDetailApi,
    MonthlyPlanItemsApi,
    MonthlyPlanListApi,
    PlanBulkConfirmApi,
    PlanCarryForwardApi,
    PlanConfirmApi,
    PlanItemResultApi,
    PlanReopenApi,
    PlanReturnApi,
    PlanSubmitApi,
)
from .onboarding import AcknowledgementApi
from .strategy import (
    AnnualPlanArchiveApi,
    AnnualPlanDetailApi,
    AnnualPlanListApi,
    StrategyArchiveApi,
    StrategyDetailApi,
    StrategyListApi,
    ThemeArchiveApi,
    ThemeCreateApi,
    ThemeDetailApi,
)

__all__ = [
    "AcknowledgementApi", "AnnualPlanArchiveApi", "AnnualPlanDetailApi", "AnnualPlanListApi", "GoalApproveApi",
    "GoalChangeRequestApi", "GoalDetailApi", "GoalListApi", "GoalProgressApi", "GoalTreeApi",
    "MonthlyPlanDetailApi", "MonthlyPlanItemsApi", "MonthlyPlanListApi", "PlanBulkConfirmApi", "PlanCarryForwardApi",
    "PlanConfirmApi", "PlanItemResultApi", "PlanReopenApi", "PlanReturnApi", "PlanSettingsApi", "PlanSubmitApi",
    "StrategyArchiveApi", "StrategyDetailApi", "StrategyListApi", "ThemeArchiveApi", "ThemeCreateApi", "ThemeDetailApi",
]
