"""Every write of the talent side of result application: in a transaction, on locked rows, checked,
audited; people are told in their own language with a link only (talent data is confidential)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.appraisals.models import Appraisal, Cycle, CycleStatus
from apps.appraisals.models import Status as AppraisalStatus
from apps.core.audit import audit_bulk, audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.roles import is_hr
from apps.notifications.services import notification_create
from apps.org.models import Employee, JobLevel

from . import access
from .models import (
    ACTION_TRANSITIONS,
    DEFAULT_CATEGORIES,
    EDITABLE,
    LEVELS,
    NEEDS_EXECUTIVE,
    RELEASABLE,
    SCALE_MAX,
    SCALE_MIN,
    AbilitySource,
    ActionKind,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    Category,
    Competency,
    CompetencyModel,
    Family,
    Placement,
    Rating,
    TalentAction,
    TalentReview,
)

REVIEW_FIELDS = ("performance_basis", "grade_levels", "performance_medium_from", "performance_high_from",
                 "ability_source", "ability_medium_from", "ability_high_from", "behaviour_medium_from",
                 "behaviour_high_from")
ACTION_FIELDS = ("kind", "status", "title", "details", "due_date", "version")
TEXT_LIMIT = 10000


# --- small helpers -------------------------------------------------------------------------------------

def _clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, messages = next(iter(exc.message_dict.items()))
            if field == "__all__":
                raise ApplicationError(" ".join(messages))
            label = str(obj._meta.get_field(field).verbose_name)
            raise ApplicationError(f"{label}: {' '.join(messages)}", field=field)
        raise ApplicationError(" ".join(exc.messages))


def _save(obj, fields: Iterable[str] | None = None, exclude=None) -> None:
    bump(obj)
    _clean(obj, exclude=exclude)
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=[*fields, "version", "updated_at"])


def _require_hr(actor, message: str | None = None) -> None:
    if not is_hr(actor):
        raise PermissionDenied(message or _("Only HR may do this."))


def _text(value, field: str, *, required: bool = False, label: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(_("%(field)s is required.") % {"field": label or field}, field=field)
    if len(value) > TEXT_LIMIT:
        raise ApplicationError(_("The text is too long (at most %(n)s characters).") % {"n": TEXT_LIMIT},
                               field=field)
    return value


def _decimal(value, field: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(_("Enter a number."), field=field)
    if not d.is_finite():
        raise ApplicationError(_("Enter a number."), field=field)
    return d


def absolute_url(path: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def notify(user_ids: Iterable[int | None], *, title, url: str, dedupe=None) -> int:
    """Tell each user once in their own language; the body carries no talent data, only the link."""
    from apps.accounts.models import UserPreference

    ids = sorted({u for u in user_ids if u})
    if not ids:
        return 0
    users = get_user_model().objects.in_bulk(ids)
    langs = dict(UserPreference.objects.filter(user_id__in=ids).exclude(language="")
                 .values_list("user_id", "language"))
    sent = 0
    for uid in ids:
        user = users.get(uid)
        if user is None or not user.is_active:
            continue
        with translation.override(langs.get(uid) or settings.LANGUAGE_CODE):
            note = notification_create(recipient=user, title=str(title()), url=url,
                                       body=str(_("The content is confidential: open the link to see it.")),
                                       dedupe_key=dedupe(uid) if dedupe else None)
        sent += note is not None
    return sent


# --- competency models (HR) ------------------------------------------------------------------------------

def _anchors(anchors) -> list[dict]:
    if not isinstance(anchors, list | tuple) or len(anchors) != SCALE_MAX - SCALE_MIN + 1:
        raise ApplicationError(_("Give one behavioural anchor for each level from %(lo)s to %(hi)s.")
                               % {"lo": SCALE_MIN, "hi": SCALE_MAX}, field="anchors")
    out = []
    for a in anchors:
        if isinstance(a, str):
            a = {"zh": a, "en": ""}
        if not isinstance(a, dict):
            raise ApplicationError(_("Each anchor is a text in Chinese and English."), field="anchors")
        zh, en = str(a.get("zh") or "").strip()[:500], str(a.get("en") or "").strip()[:500]
        if not (zh or en):
            raise ApplicationError(_("Every level needs a behavioural anchor."), field="anchors")
        out.append({"zh": zh, "en": en})
    return out


@transaction.atomic
def competency_model_save(*, actor, family: str, name_zh: str, name_en: str = "",
                          job_levels: Iterable[JobLevel] = (), model: CompetencyModel | None = None,
                          expected_version: int | None = None) -> CompetencyModel:
    """Create the competency model of a job-level family, or change one (HR)."""
    _require_hr(actor)
    if family not in Family.values:
        raise ApplicationError(_("Choose a job-level family."), field="family")
    if model is None:
        if CompetencyModel.objects.filter(family=family).exists():
            raise ApplicationError(_("This job-level family has a competency model already."), field="family")
        m, before = CompetencyModel(family=family), None
    else:
        m = CompetencyModel.objects.select_for_update().filter(pk=model.pk).first()
        if m is None:
            raise NotFound(_("Not found."))
        check_version(m, expected_version)
        before = snapshot(m)
        if family != m.family and CompetencyModel.objects.filter(family=family).exists():
            raise ApplicationError(_("This job-level family has a competency model already."), field="family")
    m.family, m.name_zh, m.name_en = family, _text(name_zh, "name_zh", required=True, label=_("Name")), name_en or ""
    if model is None:
        _clean(m)
        m.save()
    else:
        _save(m)
    m.job_levels.set(list(job_levels))
    audit_record(actor=actor, action="results.model_saved", obj=m, before=before, after=snapshot(m))
    return m


@transaction.atomic
def competency_save(*, actor, model: CompetencyModel, name_zh: str, name_en: str = "", anchors=(),
                    order: int | None = None, competency: Competency | None = None,
                    expected_version: int | None = None) -> Competency:
    """Add a competency with its five behavioural anchors, or change one (HR)."""
    _require_hr(actor)
    if competency is None:
        c, before = Competency(model=model), None
        c.order = order if order is not None else model.competencies.count() + 1
    else:
        c = Competency.objects.select_for_update().filter(pk=competency.pk, model=model).first()
        if c is None:
            raise NotFound(_("Not found."))
        check_version(c, expected_version)
        before = snapshot(c)
        if order is not None:
            c.order = order
    c.name_zh = _text(name_zh, "name_zh", required=True, label=_("Name"))
    c.name_en = name_en or ""
    c.anchors = _anchors(list(anchors))
    if competency is None:
        _clean(c)
        c.save()
    else:
        _save(c)
    audit_record(actor=actor, action="results.competency_saved", obj=c, before=before, after=snapshot(c))
    return c


def model_for(job_level_id: int | None, models_by_level: dict[int, CompetencyModel] | None = None):
    """The competency model for a job level: the model naming it, else the staff family's model."""
    if models_by_level is None:
        models_by_level = models_by_job_level()
    return models_by_level.get(job_level_id) or models_by_level.get(None)


def models_by_job_level() -> dict[int | None, CompetencyModel]:
    out: dict[int | None, CompetencyModel] = {}
    for m in CompetencyModel.objects.prefetch_related("job_levels"):
        for jl in m.job_levels.all():
            out[jl.pk] = m
        if m.family == Family.STAFF:
            out[None] = m
    return out


# --- the nine-box configuration -------------------------------------------------------------------------

def ensure_categories() -> dict[tuple[str, str], Category]:
    """The nine categories, created with the seed's defaults when missing (idempotent)."""
    have = {(c.performance, c.ability): c for c in Category.objects.all()}
    missing = [Category(performance=p, ability=a, name_zh=v[0], name_en=v[1], action_zh=v[2], action_en=v[3],
                        proposed_kinds=[str(k) for k in v[4]])
               for (p, a), v in DEFAULT_CATEGORIES.items() if (p, a) not in have]
    if missing:
        Category.objects.bulk_create(missing, ignore_conflicts=True)
        have = {(c.performance, c.ability): c for c in Category.objects.all()}
    return have


@transaction.atomic
def category_update(*, actor, category: Category, name_zh: str, name_en: str, action_zh: str, action_en: str,
                    proposed_kinds: Iterable[str] | None = None, expected_version: int | None = None) -> Category:
    _require_hr(actor)
    c = Category.objects.select_for_update().filter(pk=category.pk).first()
    if c is None:
        raise NotFound(_("Not found."))
    check_version(c, expected_version)
    before = snapshot(c)
    c.name_zh = _text(name_zh, "name_zh", required=True, label=_("Name"))
    c.name_en, c.action_zh, c.action_en = name_en or "", _text(action_zh, "action_zh", required=True,
                                                                  label=_("Recommended action")), action_en or ""
    if proposed_kinds is not None:
        kinds = [str(k) for k in proposed_kinds]
        if any(k not in ActionKind.values for k in kinds):
            raise ApplicationError(_("Unknown kind of action."), field="proposed_kinds")
        c.proposed_kinds = kinds
    _save(c)
    audit_record(actor=actor, action="results.category_updated", obj=c, before=before, after=snapshot(c))
    return c


def _check_cutoffs(r: TalentReview) -> None:
    pairs = [("performance_medium_from", "performance_high_from"), ("ability_medium_from", "ability_high_from"),
             ("behaviour_medium_from", "behaviour_high_from")]
    for lo, hi in pairs:
        if Decimal(getattr(r, lo)) >= Decimal(getattr(r, hi)):
            raise ApplicationError(
                _("The cut-off for 'medium' must be below the one for 'high' (values below 'medium' are low, "
                  "from 'medium' up to 'high' medium, from 'high' up high), otherwise the bands would "
                  "overlap or leave a gap."), field=hi)
    if not (Decimal(SCALE_MIN) <= Decimal(r.ability_medium_from) and Decimal(r.ability_high_from) <= SCALE_MAX):
        raise ApplicationError(_("The ability cut-offs must lie on the rating scale (%(lo)s to %(hi)s).")
                               % {"lo": SCALE_MIN, "hi": SCALE_MAX}, field="ability_medium_from")
    if r.grade_levels:
        if not isinstance(r.grade_levels, dict) or any(v not in LEVELS for v in r.grade_levels.values()):
            raise ApplicationError(_("Every grade maps to low, medium or high."), field="grade_levels")


def _apply_settings(r: TalentReview, values: dict) -> None:
    for field in REVIEW_FIELDS:
        if field not in values or values[field] is None:
            continue
        v = values[field]
        if field.endswith("_from"):
            v = _decimal(v, field)
        setattr(r, field, v)


@transaction.atomic
def review_create(*, actor, cycle: Cycle, **settings_values) -> TalentReview:
    """Open the talent review of a published cycle (HR) and place everyone in the grid."""
    _require_hr(actor)
    cycle = Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    if cycle is None:
        raise NotFound(_("Not found."))
    if cycle.status != CycleStatus.PUBLISHED and not Appraisal.objects.filter(
            cycle=cycle, status=AppraisalStatus.PUBLISHED).exists():
        raise ApplicationError(_("The results of this cycle are not published yet; a talent review starts "
                                 "once they are."), field="cycle")
    if TalentReview.objects.filter(cycle=cycle).exists():
        raise ApplicationError(_("This cycle has a talent review already."), field="cycle")
    r = TalentReview(cycle=cycle, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _apply_settings(r, settings_values)
    _check_cutoffs(r)
    _clean(r)
    r.save()
    ensure_categories()
    audit_record(actor=actor, action="results.review_created", obj=r, after=snapshot(r, REVIEW_FIELDS))
    placements_compute(review=r, actor=actor)
    return r


@transaction.atomic
def review_update(*, actor, review: TalentReview, expected_version: int | None, **settings_values) -> TalentReview:
    """Change HR's cut-offs and sources of the review; everyone's cell is recomputed."""
    _require_hr(actor)
    r = TalentReview.objects.select_for_update().filter(pk=review.pk).first()
    if r is None:
        raise NotFound(_("Not found."))
    check_version(r, expected_version)
    before = snapshot(r, REVIEW_FIELDS)
    _apply_settings(r, settings_values)
    _check_cutoffs(r)
    _save(r)
    audit_record(actor=actor, action="results.review_updated", obj=r, before=before,
                 after=snapshot(r, REVIEW_FIELDS))
    placements_compute(review=r, actor=actor)
    return r


# --- placements (set-based) ------------------------------------------------------------------------------

def _quantize(d) -> Decimal | None:
    return None if d is None else Decimal(d).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def placements_compute(*, review: TalentReview, actor=None, employee_ids: Iterable[int] | None = None) -> int:
    """Place the published appraisals of the review's cycle in the grid: a fixed number of queries
    whatever the number of people (one read of the results, one of the assessments, one of the
    placements, then bulk writes). Overrides are kept; the computed cell is refreshed. New placements
    get their proposed actions. Returns the number of placements changed or created."""
    appraisals = Appraisal.objects.filter(cycle_id=review.cycle_id, status=AppraisalStatus.PUBLISHED)
    if employee_ids is not None:
        appraisals = appraisals.filter(employee_id__in=list(employee_ids))
    rows = list(appraisals.values_list("pk", "employee_id", "department_id", "job_level_id", "grade",
                                       "calibrated_grade", "total_score", "behaviour_score"))
    emp_ids = [r[1] for r in rows]
    averages = dict(Assessment.objects.filter(review=review, employee_id__in=emp_ids,
                                              status=AssessmentStatus.SUBMITTED)
                    .values_list("employee_id", "average"))
    existing = {p.employee_id: p for p in Placement.objects.filter(review=review, employee_id__in=emp_ids)}
    new, changed = [], []
    fields = ("appraisal_id", "department_id", "job_level_id", "grade", "total_score", "ability_value",
              "performance", "ability")
    for pk, emp, dept, jl, grade, cal_grade, total, behaviour in rows:
        final_grade = cal_grade or grade
        ability_value = behaviour if review.ability_source == AbilitySource.BEHAVIOUR else averages.get(emp)
        values = {"appraisal_id": pk, "department_id": dept, "job_level_id": jl, "grade": final_grade,
                  "total_score": _quantize(total), "ability_value": _quantize(ability_value),
                  "performance": review.performance_level(grade=final_grade, total=total),
                  "ability": review.ability_level(ability_value)}
        p = existing.get(emp)
        if p is None:
            new.append(Placement(review=review, employee_id=emp, **values))
        elif any(getattr(p, f) != values[f] for f in fields):
            for f in fields:
                setattr(p, f, values[f])
            bump(p)
            changed.append(p)
    if new:
        Placement.objects.bulk_create(new, batch_size=1000)
    if changed:
        _update_placements(changed, fields)
    if new or changed:
        audit_bulk(actor=actor, action="results.placed", rows=[
            ("results.placement", p.pk, f"{p.employee_id} · {review.pk}", None,
             {"performance": p.performance, "ability": p.ability, "grade": p.grade})
            for p in [*new, *changed]])
    _propose_actions(review, [p for p in [*new, *changed] if p.performance and p.ability])
    return len(new) + len(changed)


_UPDATE_CASTS = {"appraisal_id": "bigint", "department_id": "bigint", "job_level_id": "bigint", "grade": "varchar",
                 "total_score": "numeric", "ability_value": "numeric", "performance": "varchar",
                 "ability": "varchar"}


def _update_placements(rows: list[Placement], fields: tuple[str, ...], batch: int = 2000) -> None:
    """Write the recomputed placements: on PostgreSQL one ``UPDATE ... FROM (VALUES ...)`` per batch (Django's
    bulk_update builds a CASE per field and row, which took 99 s for 10,000 rows); elsewhere bulk_update."""
    if connection.vendor != "postgresql":
        Placement.objects.bulk_update(rows, [*fields, "version"], batch_size=1000)
        return
    table = Placement._meta.db_table
    cols = [Placement._meta.get_field(f.removesuffix("_id")).column for f in fields]
    row_sql = "(%s::bigint, %s::integer, " + ", ".join(f"%s::{_UPDATE_CASTS[f]}" for f in fields) + ")"
    sets = ", ".join(f'"{c}" = v."{c}"' for c in cols)
    names = ", ".join(f'"{c}"' for c in cols)
    with connection.cursor() as cur:
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            params = [x for p in chunk for x in (p.pk, p.version, *(getattr(p, f) for f in fields))]
            cur.execute(
                f'UPDATE "{table}" AS p SET {sets}, "version" = v."version", "updated_at" = now() '
                f'FROM (VALUES {", ".join([row_sql] * len(chunk))}) AS v("id", "version", {names}) '
                f'WHERE p."id" = v."id"', params)


def _propose_actions(review: TalentReview, placements: list[Placement]) -> None:
    """The system's proposals from each placement's cell and grade: one per kind the category names,
    never twice the same kind for a placement (idempotent)."""
    if not placements:
        return
    categories = ensure_categories()
    have = set(TalentAction.objects.filter(placement__in=[p.pk for p in placements])
               .values_list("placement_id", "kind"))
    today = timezone.localdate()
    out = []
    for p in placements:
        cat = categories.get(p.cell)
        if cat is None:
            continue
        for kind in cat.proposed_kinds:
            if (p.pk, kind) in have:
                continue
            # the title names the kind only: the category is not the employee's to read once this is released
            out.append(TalentAction(placement=p, employee_id=p.employee_id, kind=kind,
                                    title=str(ActionKind(kind).label)[:200], due_date=today + dt.timedelta(days=90)))
    if out:
        TalentAction.objects.bulk_create(out, batch_size=1000)


def placements_recompute_for(*, appraisal: Appraisal, actor=None) -> int:
    """A result was published into a cycle under review, or a published result changed (an upheld appeal):
    place (or move) that person in every review of the cycle."""
    n = 0
    for review in TalentReview.objects.filter(cycle_id=appraisal.cycle_id):
        n += placements_compute(review=review, actor=actor, employee_ids=[appraisal.employee_id])
    return n


def _lock_placement(placement) -> Placement:
    p = (Placement.objects.select_for_update(of=("self",)).select_related("employee", "review")
         .filter(pk=getattr(placement, "pk", placement)).first())
    if p is None:
        raise NotFound(_("Not found."))
    return p


@transaction.atomic
def placement_override(*, actor, placement: Placement, performance: str, ability: str, reason: str,
                       expected_version: int | None) -> Placement:
    """HR moves a person to another cell; the reason is required and the move audited. Moving back to
    the computed cell (or giving empty levels) clears the override."""
    p = _lock_placement(placement)
    access.require_any(actor, p.employee, {access.HR}, _("Only HR may move a person in the grid."))
    check_version(p, expected_version)
    reason = _text(reason, "reason", required=True, label=_("Reason"))
    if performance not in LEVELS or ability not in LEVELS:
        raise ApplicationError(_("Choose low, medium or high on both axes."), field="performance")
    before = snapshot(p, ("performance", "ability", "override_performance", "override_ability", "override_reason"))
    if (performance, ability) == (p.performance, p.ability):
        p.override_performance = p.override_ability = ""
    else:
        p.override_performance, p.override_ability = performance, ability
    p.override_reason = reason
    p.overridden_by, p.overridden_at = actor, timezone.now()
    _save(p, ("override_performance", "override_ability", "override_reason", "overridden_by", "overridden_at"))
    audit_record(actor=actor, action="results.placement_overridden", obj=p, before=before,
                 after=snapshot(p, ("performance", "ability", "override_performance", "override_ability",
                                    "override_reason")))
    _propose_actions(p.review, [p])
    return p


# --- ability assessment ----------------------------------------------------------------------------------

def _ratings(model: CompetencyModel, ratings: dict) -> dict[int, int]:
    comps = {c.pk: c for c in model.competencies.all()}
    out = {}
    for key, value in (ratings or {}).items():
        try:
            cid = int(key)
        except (TypeError, ValueError):
            raise ApplicationError(_("Unknown competency."), field="ratings")
        if cid not in comps:
            raise ApplicationError(_("This competency is not part of the person's competency model."),
                                   field="ratings")
        if value in (None, ""):
            continue
        try:
            score = int(str(value).strip())
        except ValueError:
            raise ApplicationError(_("A rating is a whole number from %(lo)s to %(hi)s.")
                                   % {"lo": SCALE_MIN, "hi": SCALE_MAX}, field="ratings")
        if not SCALE_MIN <= score <= SCALE_MAX:
            raise ApplicationError(_("A rating is a whole number from %(lo)s to %(hi)s.")
                                   % {"lo": SCALE_MIN, "hi": SCALE_MAX}, field="ratings")
        out[cid] = score
    return out


def _store_ratings(a: Assessment, scores: dict[int, int]) -> None:
    Rating.objects.filter(assessment=a).exclude(competency_id__in=list(scores)).delete()
    have = {r.competency_id: r for r in Rating.objects.filter(assessment=a)}
    for cid, score in scores.items():
        r = have.get(cid)
        if r is None:
            Rating.objects.create(assessment=a, competency_id=cid, score=score)
        elif r.score != score:
            r.score = score
            r.save(update_fields=["score", "updated_at"])
    a.average = (_quantize(Decimal(sum(scores.values())) / len(scores)) if scores else None)


@transaction.atomic
def assessment_save(*, actor, review: TalentReview, employee: Employee, ratings: dict, comment: str = "",
                    submit: bool = False, expected_version: int | None = None) -> Assessment:
    """The manager rates a member of the team against the competency model of their job level (HR may
    too). Submitting needs every competency rated and places the person in the grid; after that only
    HR changes ratings, with a reason (:func:`assessment_adjust`)."""
    employee = Employee.objects.select_related("position").filter(pk=employee.pk).first()
    if employee is None:
        raise NotFound(_("Not found."))
    roles = access.require_any(actor, employee, {access.MANAGER, access.HR},
                               _("Only the person's manager or HR rates their abilities."))
    if review.ability_source == AbilitySource.BEHAVIOUR:
        raise ApplicationError(_("In this review the behaviour section of the appraisal stands for ability; "
                                 "there is nothing to rate."))
    if not Appraisal.objects.filter(cycle_id=review.cycle_id, employee=employee,
                                    status=AppraisalStatus.PUBLISHED).exists():
        raise ApplicationError(_("This person has no published result in the review's cycle."))
    a = (Assessment.objects.select_for_update().select_related("model")
         .filter(review=review, employee=employee).first())
    if a is None:
        model = model_for(employee.position.job_level_id if employee.position_id else None)
        if model is None or not model.competencies.exists():
            raise ApplicationError(_("HR has not set up a competency model for this person's job level yet."))
        a, before = Assessment(review=review, employee=employee, model=model), None
    else:
        check_version(a, expected_version)
        before = snapshot(a, ("status", "average", "comment"))
        if a.status == AssessmentStatus.SUBMITTED and access.HR not in roles:
            raise TransitionNotAllowed(_("The ratings were submitted; HR may adjust them with a reason."))
    scores = _ratings(a.model, ratings)
    a.comment = _text(comment, "comment")
    if a.pk is None:
        _clean(a, exclude=["average"])
        a.save()
    _store_ratings(a, scores)
    if submit:
        if len(scores) < a.model.competencies.count():
            raise ApplicationError(_("Rate every competency before submitting."), field="ratings")
        a.status, a.submitted_at = AssessmentStatus.SUBMITTED, timezone.now()
    a.rated_by = actor
    _save(a)
    audit_record(actor=actor, action="results.assessment_submitted" if submit else "results.assessment_saved",
                 obj=a, before=before, after={**snapshot(a, ("status", "average", "comment")), "ratings": scores})
    if a.status == AssessmentStatus.SUBMITTED:
        placements_compute(review=review, actor=actor, employee_ids=[employee.pk])
    return a


@transaction.atomic
def assessment_adjust(*, actor, assessment: Assessment, ratings: dict, reason: str,
                      expected_version: int | None) -> Assessment:
    """HR calibrates submitted ratings; the reason is required and the change audited."""
    a = (Assessment.objects.select_for_update(of=("self",)).select_related("model", "employee", "review")
         .filter(pk=assessment.pk).first())
    if a is None:
        raise NotFound(_("Not found."))
    access.require_any(actor, a.employee, {access.HR}, _("Only HR may adjust ratings."))
    check_version(a, expected_version)
    if a.status != AssessmentStatus.SUBMITTED:
        raise TransitionNotAllowed(_("Only submitted ratings are adjusted; the manager is still rating."))
    reason = _text(reason, "reason", required=True, label=_("Reason"))
    before = {**snapshot(a, ("average",)), "ratings": dict(a.ratings.values_list("competency_id", "score"))}
    scores = _ratings(a.model, ratings)
    if len(scores) < a.model.competencies.count():
        raise ApplicationError(_("Rate every competency."), field="ratings")
    _store_ratings(a, scores)
    a.adjusted_by, a.adjusted_at, a.adjust_reason = actor, timezone.now(), reason
    _save(a)
    audit_record(actor=actor, action="results.assessment_adjusted", obj=a, before=before,
                 after={**snapshot(a, ("average", "adjust_reason")), "ratings": scores})
    placements_compute(review=a.review, actor=actor, employee_ids=[a.employee_id])
    return a


# --- actions --------------------------------------------------------------------------------------------

def _lock_action(action) -> TalentAction:
    a = (TalentAction.objects.select_for_update(of=("self",)).select_related("employee", "employee__user")
         .filter(pk=getattr(action, "pk", action)).first())
    if a is None:
        raise NotFound(_("Not found."))
    return a


def _move(a: TalentAction, move: str) -> None:
    sources, target = ACTION_TRANSITIONS[move]
    if a.status not in sources:
        raise TransitionNotAllowed(_("This action is %(status)s; this step is not possible now.")
                                   % {"status": ActionStatus(a.status).label})
    a.status = target


def _action_fields(a: TalentAction, *, title=None, details=None, due_date=None) -> None:
    if title is not None:
        a.title = _text(title, "title", required=True, label=_("What is to be done"))[:200]
    if details is not None:
        a.details = _text(details, "details")
    if due_date is not None:
        if isinstance(due_date, str):
            try:
                due_date = dt.date.fromisoformat(due_date) if due_date else None
            except ValueError:
                raise ApplicationError(_("Enter a valid date."), field="due_date")
        a.due_date = due_date or None


@transaction.atomic
def action_add(*, actor, placement: Placement, kind: str, title: str, details: str = "",
               due_date=None) -> TalentAction:
    """The manager or HR adds an action of their own (it starts as proposed)."""
    p = _lock_placement(placement)
    access.require_any(actor, p.employee, {access.MANAGER, access.HR},
                       _("Only the person's manager or HR proposes actions."))
    if kind not in ActionKind.values:
        raise ApplicationError(_("Choose a kind of action."), field="kind")
    a = TalentAction(placement=p, employee_id=p.employee_id, kind=kind)
    _action_fields(a, title=title, details=details, due_date=due_date)
    _clean(a)
    a.save()
    audit_record(actor=actor, action="results.action_added", obj=a, after=snapshot(a, ACTION_FIELDS))
    return a


@transaction.atomic
def action_update(*, actor, action: TalentAction, expected_version: int | None, title=None, details=None,
                  due_date=None) -> TalentAction:
    a = _lock_action(action)
    access.require_any(actor, a.employee, {access.MANAGER, access.HR},
                       _("Only the person's manager or HR edits actions."))
    check_version(a, expected_version)
    if a.status not in EDITABLE:
        raise TransitionNotAllowed(_("An approved action is no longer edited."))
    before = snapshot(a, ACTION_FIELDS)
    _action_fields(a, title=title, details=details, due_date=due_date)
    _save(a)
    audit_record(actor=actor, action="results.action_updated", obj=a, before=before, after=snapshot(a, ACTION_FIELDS))
    return a


@transaction.atomic
def action_transition(*, actor, action: TalentAction, move: str, expected_version: int | None,
                      title=None, details=None, due_date=None) -> TalentAction:
    """confirm (manager or HR, optionally with edits) -> approve (HR; promotions and exit reviews: an
    executive above the person, and not whoever confirmed the nomination) -> release (HR; development
    plans, training and PIPs only) -> done (manager or HR); drop (manager or HR) before approval."""
    if move not in ACTION_TRANSITIONS:
        raise ApplicationError(_("Unknown step."), field="move")
    a = _lock_action(action)
    roles = access.require_read(actor, a.employee)
    check_version(a, expected_version)
    before = snapshot(a, ACTION_FIELDS)
    if move in ("confirm", "drop", "complete"):
        allowed = {access.MANAGER, access.HR} | ({access.EXECUTIVE} if a.kind in NEEDS_EXECUTIVE else set())
        if not roles & allowed:
            raise PermissionDenied(_("Only the person's manager or HR may do this."))
        if move == "confirm":
            _action_fields(a, title=title, details=details, due_date=due_date)
            a.confirmed_by = actor
    elif move == "approve":
        if a.kind in NEEDS_EXECUTIVE:
            if access.EXECUTIVE not in roles:
                raise PermissionDenied(_("Promotion nominations and exit reviews are approved by the general "
                                         "manager."))
            if a.confirmed_by_id == actor.pk:
                raise PermissionDenied(_("You confirmed this nomination yourself; someone else approves it."))
        elif access.HR not in roles:
            raise PermissionDenied(_("HR reviews and approves this action."))
        a.approved_by = actor
    elif move == "release":
        if access.HR not in roles:
            raise PermissionDenied(_("Only HR releases actions to the employee."))
        if a.kind not in RELEASABLE:
            raise TransitionNotAllowed(_("Promotion nominations and exit reviews are never shown to the "
                                         "employee."))
        a.released_at = timezone.now()
    _move(a, move)
    _save(a)
    audit_record(actor=actor, action=f"results.action_{move}", obj=a, before=before, after=snapshot(a, ACTION_FIELDS))
    if move == "release" and a.employee.user_id:
        url = absolute_url(reverse("results:my_actions"))
        transaction.on_commit(lambda: notify([a.employee.user_id], url=url,
                                             title=lambda: _("A development action was released to you")))
    return a


OFFERABLE = frozenset({ActionKind.PIP, ActionKind.DEVELOPMENT})


def next_contract_for(employee: Employee, after_period: str):
    """The first period after ``after_period`` whose contract is still a draft (or not drafted yet):
    (period code, editable contract or None). Refused with a plain message when there is none."""
    from apps.contracts.models import Contract
    from apps.contracts.models import Status as ContractStatus
    from apps.core.periods import Period

    level = employee.position.job_level if employee.position_id else None
    if level is None:
        raise TransitionNotAllowed(_("%(name)s has no position with a job level.") % {"name": employee.name})
    p = Period.containing(level.review_frequency, Period.parse(after_period).end + dt.timedelta(days=1))
    for _n in range(6):
        c = Contract.objects.filter(employee_id=employee.pk, period=p.code, is_latest=True).first()
        if c is None or c.status in (ContractStatus.DRAFT, ContractStatus.RETURNED):
            return p.code, c
        p = p.next()
    raise TransitionNotAllowed(_("The next contracts are proposed or signed already."))


@transaction.atomic
def action_offer_to_contract(*, actor, action: TalentAction, expected_version: int | None) -> TalentAction:
    """The manager (or HR) puts a released PIP or development plan into the employee's next contract draft
    as a proposed line (drafted when there is none yet); the contract's own workflow decides the rest."""
    from apps.contracts import services as contract_services

    a = _lock_action(action)
    roles = access.require_any(actor, a.employee, {access.MANAGER, access.HR},
                               _("Only the person's manager or HR may do this."))
    check_version(a, expected_version)
    if a.kind not in OFFERABLE or a.status != ActionStatus.RELEASED:
        raise TransitionNotAllowed(_("Only a released improvement or development plan goes into the next "
                                     "contract."))
    if a.contract_id:
        raise TransitionNotAllowed(_("This action is in the next contract draft already."))
    employee = Employee.objects.select_related("position__job_level").get(pk=a.employee_id)
    period = Placement.objects.filter(pk=a.placement_id).values_list("review__cycle__period", flat=True).get()
    code, contract = next_contract_for(employee, period)
    if contract is None:
        contract = contract_services.contract_draft(actor=actor, employee=employee, period=code)
    note = _("From the talent review of %(period)s: %(kind)s") % {"period": period, "kind": a.get_kind_display()}
    contract_services.contract_line_add(actor=actor, contract=contract, title=a.title[:200],
                                        standard=(a.details or "")[:300], notes=note)
    a.contract = contract
    _save(a, ("contract",))
    audit_record(actor=actor, action="results.action_offered", obj=a, after={"contract": contract.pk,
                                                                          "roles": sorted(roles)})
    return a


def remind_actions(*, today: dt.date | None = None) -> int:
    """Remind the employee of released actions due within 7 days or overdue; once per action and day."""
    today = today or timezone.localdate()
    qs = (TalentAction.objects.filter(status=ActionStatus.RELEASED, due_date__lte=today + dt.timedelta(days=7))
          .exclude(last_reminded_on=today).select_related("employee"))
    sent = 0
    url = absolute_url(reverse("results:my_actions"))
    for a in qs:
        sent += notify([a.employee.user_id], url=url, title=lambda: _("A development action is due soon"),
                       dedupe=lambda uid, a=a: f"results-action:{a.pk}:{today.isoformat()}")
    qs.update(last_reminded_on=today)
    return sent
