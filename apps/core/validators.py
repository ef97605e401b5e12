"""Validators every app shares: single-line text (names, titles, subjects), phone numbers and dates
within a sensible span, with messages a person understands.

Single-line fields are declared on the model (``single_line_fields``, see ``SingleLineFieldsMixin``):
``full_clean()`` refuses control characters in them, so services, model forms, the API (through the
services) and the import all get the same rule without a migration per field.
"""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# C0 and C1 control characters (line feed, carriage return, tab, NUL, escape...), DEL and the Unicode
# line and paragraph separators: none belongs on one line, and CR/LF break e-mail headers.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# "+86 138 0013 8000", "010-6552 1234", "(021) 5555-0000 转 123", "+1 (555) 010-9999 ext. 12"
PHONE = re.compile(r"^\+?[0-9 ()\-./]+(\s*(转|ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 5, 20

EARLIEST_DATE = dt.date(1950, 1, 1)
FUTURE_HORIZON = dt.timedelta(days=366)


def has_control_characters(value) -> bool:
    return isinstance(value, str) and bool(CONTROL_CHARACTERS.search(value))


def validate_single_line(value) -> None:
    if has_control_characters(value):
        raise ValidationError(
            _("Write this on one line: line breaks, tabs and other control characters are not allowed."),
            code="control_characters")


def single_line(text: str) -> str:
    """``text`` made safe for a one-line place (an e-mail subject): control characters become spaces."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", str(text or "")).split())


def validate_phone(value) -> None:
    if not value:
        return
    digits = sum(ch.isdigit() for ch in value)
    if not PHONE.match(value) or not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
        raise ValidationError(
            _("“%(value)s” is not a phone number: use digits, spaces, +, -, brackets and an extension "
              "(e.g. +86 138 0013 8000 or 010-6552 1234 转 123)."), code="phone", params={"value": value})


def validate_date_span(value, *, earliest: dt.date = EARLIEST_DATE,
                       horizon: dt.timedelta | None = FUTURE_HORIZON) -> None:
    """A date neither before ``earliest`` nor further in the future than ``horizon`` (None: not after today)."""
    if not isinstance(value, dt.date):
        return
    if value < earliest:
        raise ValidationError(_("%(date)s is too long ago: the earliest date accepted here is %(earliest)s.")
                              % {"date": value.isoformat(), "earliest": earliest.isoformat()}, code="too_early")
    latest = timezone.localdate() + (horizon or dt.timedelta(0))
    if value > latest:
        raise ValidationError(_("%(date)s is too far in the future: the latest date accepted here is %(latest)s.")
                              % {"date": value.isoformat(), "latest": latest.isoformat()}, code="too_late")


def validate_text_length(value, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        raise ValidationError(_("This text is too long: %(n)s characters, at most %(limit)s are kept.")
                              % {"n": f"{len(value):,}", "limit": f"{limit:,}"}, code="too_long")


class SingleLineFieldsMixin(models.Model):
    """``full_clean()`` refuses control characters in the fields named in ``single_line_fields``."""

    single_line_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = dict(exc.error_dict)
        for name in self.single_line_fields:
            if (exclude and name in exclude) or name in errors:
                continue
            try:
                validate_single_line(getattr(self, name, ""))
            except ValidationError as exc:
                errors[name] = exc.error_list
        if errors:
            raise ValidationError(errors)
