"""Every write of the plans app: in a transaction, checked, audited; notifications go out on commit,
in the recipient's language.

One module per stage of the work, and one kernel they share (package-internal):

- ``strategy``: the strategy, its themes and the annual business plan;
- ``goals``: the goal cascade (who may set and change a goal, its place in the tree, progress and
  the weighted roll-up);
- ``plan_items``: the items of a monthly plan (who edits them now, saving, carrying forward, results);
- ``plan_workflow``: a monthly plan's moves (start, submit, return, confirm, reopen) and the actions
  pages offer;
- ``reminders``: HR's due day and the reminders before and after it;
- ``onboarding``: new hires acknowledging their position goals;
- ``kernel``: what the stages share (notifications, the actor's relation to a plan, the row lock,
  numbers in messages).

Imports run one way: kernel <- strategy, goals, plan_items, reminders, onboarding; plan_items <-
plan_workflow. Tasks import services (inside the task), services never import tasks. Callers
import from here (``from apps.plans import services``), never from the stage modules.
"""
from .goals import (
    GOAL_REASON_MAX,
    GOAL_UPDATE_FIELDS,
    goal_approve,
    goal_can_approve,
    goal_can_manage,
    goal_can_report_progress,
    goal_change_request,
    goal_create,
    goal_delete,
    goal_owned_by,
    goal_progress_update,
    goal_tree_rollup,
    goal_update,
)
from .kernel import HUNDRED, TWO_PLACES, approver_name, without_email
from .onboarding import position_goals_acknowledge
from .plan_items import ITEM_FIELDS, editing_role, plan_carry_forward, plan_item_complete, plan_items_save
from .plan_workflow import (
    files_monthly_plans_or_refuse,
    plan_actions,
    plan_bulk_confirm,
    plan_confirm,
    plan_create,
    plan_reopen,
    plan_return,
    plan_submit,
)
from .reminders import plan_reminders_send, plan_settings_update
from .strategy import (
    ANNUAL_PLAN_FIELDS,
    STRATEGY_FIELDS,
    THEME_FIELDS,
    annual_plan_archive,
    annual_plan_create,
    annual_plan_update,
    strategy_archive,
    strategy_create,
    strategy_update,
    theme_archive,
    theme_create,
    theme_update,
)

__all__ = [
    "ANNUAL_PLAN_FIELDS",
    "GOAL_REASON_MAX",
    "GOAL_UPDATE_FIELDS",
    "HUNDRED",
    "ITEM_FIELDS",
    "STRATEGY_FIELDS",
    "THEME_FIELDS",
    "TWO_PLACES",
    "annual_plan_archive",
    "annual_plan_create",
    "annual_plan_update",
    "approver_name",
    "editing_role",
    "files_monthly_plans_or_refuse",
    "goal_approve",
    "goal_can_approve",
    "goal_can_manage",
    "goal_can_report_progress",
    "goal_change_request",
    "goal_create",
    "goal_delete",
    "goal_progress_update",
    "goal_owned_by",
    "goal_tree_rollup",
    "goal_update",
    "plan_actions",
    "plan_bulk_confirm",
    "plan_carry_forward",
    "plan_confirm",
    "plan_create",
    "plan_item_complete",
    "plan_items_save",
    "plan_reminders_send",
    "plan_reopen",
    "plan_return",
    "plan_settings_update",
    "plan_submit",
    "position_goals_acknowledge",
    "strategy_archive",
    "strategy_create",
    "strategy_update",
    "theme_archive",
    "theme_create",
    "theme_update",
    "without_email",
]
