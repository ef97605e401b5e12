"""Celery tasks: thin, idempotent (running twice changes nothing the second time), acks_late."""
from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_plan_reminders() -> dict:
    """Beat job (several times a day is fine): remind employees before the due day, their supervisors
    after it; each reminder at most once per plan per day."""
    from .services import plan_reminders_send

    return plan_reminders_send()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def rollup_goal_tree(root_id: int) -> int:
    """Recompute the weighted progress of one goal tree (keyed by its top goal), bottom-up."""
    from .services import goal_tree_rollup

    return goal_tree_rollup(root_id=root_id)


@shared_task(acks_late=True)
def rollup_all_goal_trees() -> int:
    """Nightly safety net: queue the roll-up of every tree of the current year (one task per tree)."""
    from django.utils import timezone

    from .models import Goal

    roots = list(Goal.objects.filter(depth=0, year=timezone.localdate().year).values_list("pk", flat=True))
    for pk in roots:
        rollup_goal_tree.delay(pk)
    return len(roots)
