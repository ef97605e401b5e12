"""Forms validate input, then the views call the same services as the API."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import DocumentLayout
from apps.core.periods import current_period
from apps.org.forms import DepartmentChoiceField
from apps.org.models import Department, JobLevel, ReviewFrequency

from . import grading
from .models import (
    DEFAULT_POLICIES,
    DEFAULT_STAGE_DAYS,
    STAGE_ORDER,
    Cycle,
    CycleStatus,
    Policy,
    Stage,
    Status,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DepartmentMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return "\u3000" * obj.depth + obj.name


class JobLevelMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {ReviewFrequency(obj.review_frequency).label}"


class StageFieldsMixin:
    """A deadline and a policy field per stage: due_<stage>, policy_<stage>."""

    def add_stage_fields(self, *, initial_dates: dict, initial_policies: dict):
        for s in STAGE_ORDER:
            self.fields[f"due_{s}"] = forms.DateField(label=Stage(s).label, widget=DATE_WIDGET,
                                                      initial=initial_dates.get(s))
            self.fields[f"policy_{s}"] = forms.ChoiceField(label=_("When the deadline passes"),
                                                           choices=Policy.choices, initial=initial_policies.get(s))

    def stage_rows(self):
        return [(Stage(s).label, self[f"due_{s}"], self[f"policy_{s}"]) for s in STAGE_ORDER]

    def deadlines(self) -> dict:
        return {s: self.cleaned_data[f"due_{s}"] for s in STAGE_ORDER}

    def policies(self) -> dict:
        return {s: self.cleaned_data[f"policy_{s}"] for s in STAGE_ORDER}


def _default_period() -> str:
    return current_period(ReviewFrequency.MONTHLY).previous().code


class CycleForm(StageFieldsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False,
                            help_text=_("Optional; by default the period and the review frequency."))
    frequency = forms.ChoiceField(label=_("Review frequency"), choices=ReviewFrequency.choices,
                                  initial=ReviewFrequency.MONTHLY)
    period = forms.CharField(label=pgettext_lazy("appraisal", "Review period"), max_length=7,
                             help_text=_("2026-11 (month), 2026-Q4 (quarter), 2026-H2 (half-year) or 2026 (year)."))
    job_levels = JobLevelMultipleField(label=_("Job levels"), queryset=JobLevel.objects.all(), required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text=_("Leave empty for every job level appraised at this frequency."))
    departments = DepartmentMultipleField(label=_("Only these departments (and below)"), required=False,
                                          queryset=Department.objects.filter(is_active=True).order_by("path"),
                                          widget=forms.SelectMultiple(attrs={"size": 6}))
    grade_bands = forms.CharField(label=_("Grade bands"), initial=grading.format_grade_bands(
        [{"grade": "S", "min": 120}, {"grade": "A", "min": 105}, {"grade": "B", "min": 90}, {"grade": "C", "min": 75},
         {"grade": "D", "min": None}]), help_text=_("Highest first; the last grade takes every score below."))
    requires_calibration = forms.BooleanField(label=_("Calibration required before publication"), required=False)
    open_now = forms.BooleanField(label=_("Open the cycle now (create the appraisals)"), required=False,
                                  initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period"].initial = _default_period()
        self.add_stage_fields(
            initial_dates={s: today + dt.timedelta(days=DEFAULT_STAGE_DAYS[s]) for s in STAGE_ORDER},
            initial_policies=dict(DEFAULT_POLICIES))

    def clean_grade_bands(self):
        from apps.core.exceptions import ApplicationError

        try:
            return grading.parse_grade_bands(self.cleaned_data["grade_bands"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message)


class CycleDeadlinesForm(StageFieldsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        stages = {s.stage: s for s in cycle.stages.all()}
        self.fields["version"].initial = cycle.version
        self.add_stage_fields(initial_dates={s: r.due_date for s, r in stages.items()},
                              initial_policies={s: r.policy for s, r in stages.items()})


class CycleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Title or period")}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + CycleStatus.choices)
    frequency = forms.ChoiceField(label=_("Review frequency"), required=False,
                                  choices=[("", _("All"))] + ReviewFrequency.choices)


class AppraisalFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name or employee number")}))
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.exclude(status=CycleStatus.DRAFT),
                                   required=False, empty_label=_("All"))
    status = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("All"))] + Status.choices)
    department = DepartmentChoiceField(label=_("Department"), required=False, empty_label=_("All"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    returned = forms.BooleanField(label=_("With returned lines"), required=False)


class TeamFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name or employee number")}))
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.exclude(status=CycleStatus.DRAFT),
                                   required=False, empty_label=_("All"))
    status = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("All"))] + Status.choices)


class ActualFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, number or indicator")}))
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.filter(status=CycleStatus.OPEN),
                                   required=False, empty_label=_("All"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("All")), ("open", _("Waiting for an actual")), ("returned", _("Returned for re-collection")),
        ("entered", _("Entered")), ("missing", _("Not submitted by the deadline"))])


class ActualForm(forms.Form):
    actual = forms.CharField(label=_("Actual"), max_length=40)
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UploadForm(forms.Form):
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.filter(status=CycleStatus.OPEN))
    file = forms.FileField(label=_("File (xlsx or CSV)"))


class ScopeForm(forms.Form):
    department = DepartmentChoiceField(label=_("Department"), required=False, empty_label=_("All"))
    ready_only = forms.BooleanField(label=_("Only the ready ones"), required=False)


class ScoringForm(forms.Form):
    """Scores and comments of the direct lines (self or manager) plus the overall comment."""

    comment = forms.CharField(label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, lines, role: str, appraisal, **kwargs):
        super().__init__(*args, **kwargs)
        self.role, self.lines = role, [ln for ln in lines if ln.is_direct]
        self.comment_lines = [ln for ln in lines if not ln.is_direct]
        self.fields["version"].initial = appraisal.version
        self.fields["comment"].initial = appraisal.self_comment if role == "self" else appraisal.manager_comment
        self.fields["comment"].label = _("Self-assessment") if role == "self" else _("Overall comment")
        for ln in lines:
            rule = ln.rule or {}
            if ln.is_direct:
                self.fields[f"score_{ln.pk}"] = forms.DecimalField(
                    label=ln.display_title, required=False, max_digits=9, decimal_places=2,
                    initial=getattr(ln, f"{role}_score"),
                    widget=forms.NumberInput(attrs={"step": "0.01", "min": rule.get("min", 0),
                                                    "max": rule.get("max", 100)}))
            self.fields[f"comment_{ln.pk}"] = forms.CharField(
                label=_("Comment"), required=False, initial=getattr(ln, f"{role}_comment"),
                widget=forms.TextInput(attrs={"placeholder": _("Comment (optional)")}))
            self.fields[f"version_{ln.pk}"] = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                                                 initial=ln.version)

    def rows(self):
        return [{"line": ln, "score": self[f"score_{ln.pk}"] if ln.is_direct else None,
                 "comment": self[f"comment_{ln.pk}"], "version": self[f"version_{ln.pk}"]}
                for ln in self.lines + self.comment_lines]

    def entries(self) -> list[dict]:
        out = []
        for ln in self.lines + self.comment_lines:
            entry = {"id": ln.pk, "comment": self.cleaned_data.get(f"comment_{ln.pk}", ""),
                     "version": self.cleaned_data.get(f"version_{ln.pk}")}
            if ln.is_direct:
                entry["score"] = self.cleaned_data.get(f"score_{ln.pk}")
            out.append(entry)
        return out


class ScheduleForm(StageFieldsMixin, forms.Form):
    frequency = forms.ChoiceField(choices=ReviewFrequency.choices, widget=forms.HiddenInput)
    is_active = forms.BooleanField(label=_("Open cycles automatically"), required=False)
    grade_bands = forms.CharField(label=_("Grade bands"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, schedule, **kwargs):
        super().__init__(*args, **kwargs)
        self.schedule = schedule
        self.fields["frequency"].initial = schedule.frequency
        self.fields["is_active"].initial = schedule.is_active
        self.fields["grade_bands"].initial = grading.format_grade_bands(schedule.grade_bands)
        self.fields["version"].initial = schedule.version if schedule.pk else None
        for s in STAGE_ORDER:
            self.fields[f"days_{s}"] = forms.IntegerField(label=Stage(s).label, min_value=0, max_value=365,
                                                          initial=schedule.days_for(s))
            self.fields[f"policy_{s}"] = forms.ChoiceField(label=_("When the deadline passes"),
                                                           choices=Policy.choices, initial=schedule.policy_for(s))

    def stage_rows(self):
        return [(Stage(s).label, self[f"days_{s}"], self[f"policy_{s}"]) for s in STAGE_ORDER]

    def clean_grade_bands(self):
        from apps.core.exceptions import ApplicationError

        try:
            return grading.parse_grade_bands(self.cleaned_data["grade_bands"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message)


# --- calibration -------------------------------------------------------------------------------------

QUOTA_ROWS = 5


class QuotaForm(forms.Form):
    """HR's grade quotas of a cycle, one row each: grades (e.g. "S+A"), at most / at least, percent, hard.
    Empty rows are ignored; the service refuses a set that cannot be met."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, cycle: Cycle, **kwargs):
        quotas = list(cycle.quotas.all())
        initial = {"version": cycle.version}
        for i, q in enumerate(quotas[:QUOTA_ROWS]):
            initial.update({f"grades_{i}": q.grades_label, f"limit_{i}": q.limit, f"percent_{i}": q.percent,
                            f"hard_{i}": q.is_hard})
        super().__init__(*args, initial=initial, **kwargs)
        for i in range(QUOTA_ROWS):
            self.fields[f"grades_{i}"] = forms.CharField(
                label=_("Grades"), required=False, max_length=40,
                widget=forms.TextInput(attrs={"placeholder": _("e.g. S+A")}))
            self.fields[f"limit_{i}"] = forms.ChoiceField(
                label=_("Limit"), required=False,
                choices=[("at_most", _("at most")), ("at_least", _("at least"))])
            self.fields[f"percent_{i}"] = forms.DecimalField(label=_("Percent"), required=False, min_value=0,
                                                             max_value=100, decimal_places=2)
            self.fields[f"hard_{i}"] = forms.BooleanField(label=_("Hard (blocks publication)"), required=False)

    @property
    def rows(self):
        return [(self[f"grades_{i}"], self[f"limit_{i}"], self[f"percent_{i}"], self[f"hard_{i}"])
                for i in range(QUOTA_ROWS)]

    def quotas(self) -> list[dict]:
        d, out = self.cleaned_data, []
        for i in range(QUOTA_ROWS):
            raw = (d.get(f"grades_{i}") or "").replace(",", "+").replace("，", "+").replace(" ", "+")
            grades = [g.strip().upper() for g in raw.split("+") if g.strip()]
            if not grades:
                continue
            if d.get(f"percent_{i}") is None:
                self.add_error(f"percent_{i}", _("Enter the percent of this quota."))
                continue
            out.append({"grades": grades, "limit": d.get(f"limit_{i}") or "at_most", "percent": d[f"percent_{i}"],
                        "is_hard": d.get(f"hard_{i}", False)})
        return out


class CalibrateGradeForm(forms.Form):
    grade = forms.CharField(label=_("Grade"), max_length=8)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CalibrationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name or employee number")}))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False,
                                        empty_label=_("All"))
    grade = forms.CharField(label=_("Grade"), required=False, max_length=8)


class PrintBatchForm(forms.Form):
    """Batch printing of appraisal forms: a department (and below) or the whole cycle."""

    department = DepartmentChoiceField(label=_("Department"), required=False, empty_label=_("The whole cycle"))
    layout = forms.ChoiceField(label=_("File"), choices=DocumentLayout.choices, initial=DocumentLayout.MERGED)
    keep_hours = forms.IntegerField(label=_("Keep the file for (hours)"), min_value=1, max_value=24 * 30, initial=72)
