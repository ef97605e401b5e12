"""HTML pages of the plans app: thin. Forms validate input, the services decide; domain errors land
on the forms. One module per area of pages (``urls.py`` names the views from here):

- ``strategy``: the strategy, its themes and the annual business plans;
- ``goals``: the alignment tree, my goals, a goal's page, its progress and the goal form;
- ``monthly``: an employee's monthly plan, its items, moves and results;
- ``team``: the team's plans for a month, confirming many at once;
- ``deadlines``: HR's plan deadlines; ``onboarding``: acknowledging the position goals;
- ``common``: what the pages share (package-internal).
"""
from .deadlines import plan_settings
from .goals import (
    goal_approve,
    goal_change_request,
    goal_delete,
    goal_detail,
    goal_edit,
    goal_new,
    goal_progress,
    goal_tree,
    my_goals,
)
from .monthly import item_complete, my_plan, plan_action, plan_detail, plan_pdf, plan_start
from .onboarding import acknowledge
from .strategy import (
    annual_plan_edit,
    annual_plan_new,
    archive,
    strategy,
    strategy_edit,
    strategy_new,
    theme_edit,
    theme_new,
)
from .team import team

__all__ = [
    "acknowledge", "annual_plan_edit", "annual_plan_new", "archive", "goal_approve", "goal_change_request",
    "goal_delete", "goal_detail", "goal_edit", "goal_new",
    "goal_progress", "goal_tree", "item_complete", "my_goals", "my_plan", "plan_action", "plan_detail",
    "plan_pdf", "plan_settings", "plan_start", "strategy", "strategy_edit", "strategy_new", "team", "theme_edit", "theme_new",
]
