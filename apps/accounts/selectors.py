"""Reads about users that other apps share."""
from __future__ import annotations

import contextlib

from django.conf import settings
from django.utils import translation

from .models import UserPreference


def user_language(user) -> str:
    """The language a user reads the product in: their saved preference, else the site default."""
    pk = getattr(user, "pk", user)
    saved = UserPreference.objects.filter(user_id=pk).values_list("language", flat=True).first() if pk else None
    return saved or settings.LANGUAGE_CODE


@contextlib.contextmanager
def in_language_of(user):
    """Translate inside this block in ``user``'s language (notifications are written for the recipient,
    not for whoever caused them)."""
    with translation.override(user_language(user)):
        yield
