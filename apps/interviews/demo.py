"""Demo data of the interviews app (a hook of ``apps.org.demo.DEMO_HOOKS``). Idempotent."""
from __future__ import annotations


def seed_demo_interviews(actor) -> dict:
    return {}
