"""Demo data of the policy (a hook of ``apps.org.demo.DEMO_HOOKS``, run after the other apps'): version 1
published from the demo configuration, so that employees find it on their work list. Idempotent: nothing
is published when a version exists."""
from __future__ import annotations

from . import selectors, services


def seed_demo_policy(actor) -> dict:
    current = selectors.current_version()
    if current is not None:
        return {"version": current.number, "published": False}
    version = services.policy_publish(actor=actor, expected_number=0, note="")
    return {"version": version.number, "published": True}
