"""Review periods moved to ``apps.core.periods`` (one period type for the whole product).

This module stays as a re-export so existing imports and the migrations that name
``apps.contracts.periods.validate_period_code`` keep working."""
from apps.core.periods import (
    ANNUAL,
    HALF_YEAR,
    MONTHLY,
    QUARTERLY,
    Period,
    current_period,
    period_label,
    validate_period_code,
)

__all__ = [
    "ANNUAL",
    "HALF_YEAR",
    "MONTHLY",
    "QUARTERLY",
    "Period",
    "current_period",
    "period_label",
    "validate_period_code",
]
