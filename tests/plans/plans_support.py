"""Helpers of the plans tests (a module of its own: conftest files are not imported by name)."""
from __future__ import annotations

import datetime as dt


def month_days(year, month):
    from apps.plans import periods

    return periods.month_bounds(year, month)


def add_person(org, no, login, *, dept, pos, supervisor, roles=None):
    from apps.org import services

    return services.employee_create(actor=org.actor, employee_no=no, name_zh=f"员工{no}", name_en=f"Person {no}",
                                    email=f"{login}@example.com" if login else "", department=dept, position=pos,
                                    supervisor=supervisor, hire_date=dt.date(2024, 1, 15), username=login,
                                    password="pw-Test-1234" if login else None, roles=roles or [])
