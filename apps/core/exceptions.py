"""The one exception root of the product.

Services raise these; the API exception handler (``apps.core.api``) and the form helpers
(``apps.core.forms``) turn them into clear messages in one place.
"""
from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule of the domain refused an action. ``message`` is shown to the user as is."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        self.field = field

    def __str__(self) -> str:  # pragma: no cover - trivial
        return str(self.message)


class NotFound(ApplicationError):
    """The object does not exist, or the user may not know that it does (answers 404)."""

    status_code = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    """The user may see the object but not do this to it."""

    status_code = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    """Someone else changed the record since it was read (optimistic concurrency)."""

    status_code = 409
    code = "conflict"


class TransitionNotAllowed(ApplicationError):
    """A workflow move that is not allowed from the current state."""

    status_code = 409
    code = "transition_not_allowed"
