"""Actuals: a data-source user (or HR) enters a line's actual; a line is returned for
re-collection with a reason."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contracts.scoring import fmt_number
from apps.core.audit import audit_record
from apps.core.concurrency import check_version
from apps.core.exceptions import ApplicationError

from .. import permissions
from ..models import DATA_KINDS, Collection, ScoreLine, Status
from .kernel import (
    data_owner_user_ids,
    lock_line,
    move,
    notify,
    refresh_counts,
    require_edit,
    save,
    snap,
    snap_line,
)

# --- actuals -----------------------------------------------------------------------------------------

def parse_actual(line: ScoreLine, value) -> dict:
    """The stored fields of an actual for this line's rule kind; a plain message when it is not valid."""
    kind = line.rule_kind
    if kind not in DATA_KINDS:
        raise ApplicationError(_("“%(title)s” is scored by the appraiser; it takes no actual.") % {
            "title": line.display_title}, field="actual")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApplicationError(_("Enter the actual of “%(title)s”.") % {"title": line.display_title}, field="actual")
    if kind == "deadline":
        if isinstance(value, dt.datetime):
            return {"done_date": value.date()}
        if isinstance(value, dt.date):
            return {"done_date": value}
        try:
            return {"done_date": dt.date.fromisoformat(str(value).strip())}
        except ValueError:
            raise ApplicationError(_("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": value},
                                   field="actual")
    number = _number(value)
    if kind == "milestones":
        if number != number.to_integral_value() or number < 0:
            raise ApplicationError(_("Milestones done must be a whole number of 0 or more, not “%(value)s”.")
                                   % {"value": value}, field="actual")
        if line.milestones_total is not None and number > line.milestones_total:
            raise ApplicationError(_("Milestones done (%(done)s) cannot exceed the total (%(total)s).")
                                   % {"done": fmt_number(number), "total": line.milestones_total}, field="actual")
        return {"milestones_done": int(number)}
    if abs(number) >= Decimal("1e12"):
        raise ApplicationError(_("“%(value)s” is too large for an actual.") % {"value": value}, field="actual")
    return {"actual": number.quantize(Decimal("0.0001"))}


def _number(value) -> Decimal:
    if isinstance(value, bool):
        raise ApplicationError(_("“%(value)s” is not a number.") % {"value": value}, field="actual")
    if isinstance(value, int | float | Decimal):
        d = Decimal(str(value))
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
        if text.endswith("%"):
            text = text[:-1]
        try:
            d = Decimal(text)
        except Exception:
            raise ApplicationError(_("“%(value)s” is not a number.") % {"value": value}, field="actual")
    if not d.is_finite():
        raise ApplicationError(_("“%(value)s” is not a number.") % {"value": value}, field="actual")
    return d


def actual_matches(line: ScoreLine, fields: dict) -> bool:
    return all(getattr(line, k) == v for k, v in fields.items())


@transaction.atomic
def line_actual_set(*, actor, line: ScoreLine, value, evidence: str | None = None,
                    expected_version: int | None = None) -> ScoreLine:
    """A data-source user (or HR) enters the actual of one line, with an evidence note."""
    line, appraisal = lock_line(line)
    permissions.require_line_data(actor, line, appraisal)
    fields = parse_actual(line, value)
    check_version(line, expected_version)
    same = actual_matches(line, fields) and (evidence is None or evidence == line.evidence) \
        and line.collection == Collection.ENTERED
    if same:
        return line
    require_edit(appraisal, "actual")
    before = snap_line(line)
    for k, v in fields.items():
        setattr(line, k, v)
    if evidence is not None:
        line.evidence = evidence
    line.collection = Collection.ENTERED
    line.entered_by = actor if getattr(actor, "is_authenticated", False) else None
    line.entered_at = timezone.now()
    save(line)
    refresh_counts(appraisal)
    audit_record(actor=actor, action="appraisal.line_actual_set", obj=line, object_repr=f"{appraisal} · {line}",
                 before=before, after=snap_line(line))
    return line


@transaction.atomic
def line_return(*, actor, line: ScoreLine, reason: str, expected_version: int | None = None) -> ScoreLine:
    """Return a line for re-collection with a reason: the data owner is notified, collection restarts for
    the line, and a verified appraisal goes back to collecting (its engine scores are cleared)."""
    line, appraisal = lock_line(line)
    permissions.require_line_data(actor, line, appraisal)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the line is returned, so the data owner knows what to fix."),
                               field="reason")
    if not line.needs_data:
        raise ApplicationError(_("“%(title)s” is scored by the appraiser; it has no actual to re-collect.")
                               % {"title": line.display_title}, field="reason")
    check_version(line, expected_version)
    a_before = snap(appraisal)
    move(appraisal, "return")
    before = snap_line(line)
    line.collection = Collection.RETURNED
    line.return_reason = reason
    line.returned_by = actor if getattr(actor, "is_authenticated", False) else None
    line.returned_at = timezone.now()
    save(line)
    if a_before["status"] == Status.VERIFIED:
        # back to collecting: the scores computed at verification are no longer valid
        ScoreLine.objects.filter(appraisal=appraisal, rule_kind__in=list(DATA_KINDS)).update(
            score=None, attainment=None, explanation_zh="", explanation_en="", score_source="", scored_at=None)
        appraisal.verified_at, appraisal.verified_by, appraisal.verified_automatically = None, None, False
    refresh_counts(appraisal)
    save(appraisal)
    audit_record(actor=actor, action="appraisal.line_return", obj=line, object_repr=f"{appraisal} · {line}",
                 before=before, after=snap_line(line))
    if a_before["status"] != appraisal.status:
        audit_record(actor=actor, action="appraisal.reopen_collection", obj=appraisal, before=a_before,
                     after=snap(appraisal))
    owners = set().union(*data_owner_user_ids([line.data_source_id]).values()) if line.data_source_id else set()
    if line.entered_by_id:
        owners.add(line.entered_by_id)
    if not owners and appraisal.appraiser_id and appraisal.appraiser.user_id:
        owners.add(appraisal.appraiser.user_id)
    emp = appraisal.employee
    notify(owners,
           title=lambda: _("Actual returned for re-collection: %(name)s · %(line)s") % {"name": emp.name,
                                                                                       "line": line.display_title},
           body=lambda: _("Reason: %(reason)s") % {"reason": reason},
           url=reverse("appraisals:actuals") + f"?cycle={appraisal.cycle_id}&status=returned")
    return line


