"""Forms validate input, then call the same services as the API; domain errors land on the form."""
from __future__ import annotations

from collections.abc import Callable

from django import forms

from .exceptions import ApplicationError


def run_service(form: forms.Form, call: Callable[[], object]):
    """Run ``call``; on a domain error put its message on the form (on its field when it names one)."""
    try:
        return call()
    except ApplicationError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return None
