"""Optimistic concurrency for ``VersionedModel``: a stale edit is refused, never overwritten."""
from __future__ import annotations

from django.utils.translation import gettext as _

from .exceptions import Conflict


def check_version(obj, expected_version: int | None) -> None:
    """Raise Conflict when the caller edited an older version than the stored one.

    ``obj`` must have been read with ``select_for_update`` inside the service's transaction.
    ``expected_version`` None means the caller did not send one (API clients may omit it).
    """
    if expected_version is None:
        return
    if int(expected_version) != obj.version:
        raise Conflict(
            _("Someone else changed this record while you were editing it (your version %(mine)s, "
              "current %(theirs)s). Reload the page to see their changes, then apply yours again.")
            % {"mine": expected_version, "theirs": obj.version},
            extra={"current_version": obj.version},
        )


def bump(obj) -> None:
    obj.version = (obj.version or 0) + 1
