"""Forms of the coaching pages: they validate input, then the views call the same services as the API."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.org.forms import DepartmentChoiceField

from . import selectors
from .models import (
    ALLOWED_ATTACHMENT_TYPES,
    FORMAL_CHANNELS,
    REPORT_KINDS,
    Channel,
    CoachingSettings,
    Kind,
    SignDecision,
    Source,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = ",".join(f".{ext}" for ext in sorted(ALLOWED_ATTACHMENT_TYPES))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks size and type of each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [f for f in (one(d, initial) for d in data) if f]
        cleaned = one(data, initial)
        return [cleaned] if cleaned else []


FILES_HELP = _("Evidence: up to 10 files of at most 10 MB each (PDF, images, Office documents, text).")


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.contract.period} · {obj.display_title}"


class PlanItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.plan.year}-{obj.plan.month:02d} · {obj.task}"


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year} · {obj.name}"


def _link_fields(form: forms.Form, employee, *, goals: bool = True) -> None:
    form.fields["contract_line"] = LineChoiceField(
        label=_("Contract line"), required=False, queryset=selectors.contract_lines_for(employee),
        empty_label=_("— none —"))
    form.fields["plan_item"] = PlanItemChoiceField(
        label=_("Plan item"), required=False, queryset=selectors.plan_items_for(employee), empty_label=_("— none —"))
    if goals:
        form.fields["goal"] = GoalChoiceField(
            label=_("Goal"), required=False, queryset=selectors.goals_for(employee), empty_label=_("— none —"))


class RecordForm(forms.Form):
    """A manager's coaching record about one employee."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.ONE_TO_ONE)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.MANAGER)
    occurred_on = forms.DateField(label=_("When"), widget=DATE)
    summary = forms.CharField(label=_("Short summary"), max_length=200)
    facts = forms.CharField(label=_("What happened (the facts)"), widget=forms.Textarea(attrs={"rows": 5}))
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Figures, documents, witnesses, customer feedback..."))
    follow_up = forms.CharField(label=_("Follow-up agreed"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    follow_up_due = forms.DateField(label=_("Follow-up due"), required=False, widget=DATE)
    serious = forms.BooleanField(label=_("Serious: the employee must sign this record"), required=False)
    period = forms.CharField(label=_("Review period"), required=False, max_length=7,
                             help_text=_("Leave empty to use the period of the date (or of the contract line)."),
                             widget=forms.TextInput(attrs={"placeholder": "2026-11 / 2026-Q4"}))
    files = MultipleFileField(label=_("Attachments"), help_text=FILES_HELP)

    def __init__(self, *args, employee, **kwargs):
        super().__init__(*args, **kwargs)
        _link_fields(self, employee)

    def service_kwargs(self) -> dict:
        d = dict(self.cleaned_data)
        d["period"] = (d.get("period") or "").strip() or None
        return d


class CorrectForm(RecordForm):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def service_kwargs(self) -> dict:
        d = super().service_kwargs()
        d.pop("version", None)
        d.pop("reason", None)
        if not d.get("period"):
            d.pop("period", None)
        return d


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Attachments"), help_text=FILES_HELP)


class SignForm(forms.Form):
    decision = forms.ChoiceField(label=_("Your signature"), choices=SignDecision.choices, widget=forms.RadioSelect)
    response = forms.CharField(label=_("Your response"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Required when you disagree."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReportForm(forms.Form):
    """An employee's progress report or request for help."""

    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect,
                             choices=[(k.value, k.label) for k in Kind if k in REPORT_KINDS], initial=Kind.PROGRESS)
    summary = forms.CharField(label=_("Short summary"), max_length=200)
    facts = forms.CharField(label=_("Progress so far, or the help you need"),
                            widget=forms.Textarea(attrs={"rows": 5}))
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_on = forms.DateField(label=_("When"), required=False, widget=DATE)
    files = MultipleFileField(label=_("Attachments"), help_text=FILES_HELP)

    def __init__(self, *args, employee, **kwargs):
        super().__init__(*args, **kwargs)
        _link_fields(self, employee, goals=False)
        self.fields["contract_line"].help_text = _("Choose a contract line or a plan item.")


class RecordFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Words in the record, a name or a number")}))
    employee = forms.TypedChoiceField(label=_("Employee"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    period = forms.CharField(label=_("Review period"), required=False, max_length=7,
                             widget=forms.TextInput(attrs={"placeholder": "2026-11 / 2026-Q4"}))
    line = forms.TypedChoiceField(label=_("Contract line"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("All")), ("serious", _("Serious")), ("unsigned", _("Awaiting signature")),
        ("escalated", _("Escalated to HR")), ("unacknowledged", _("Not yet acknowledged")),
        ("reports", _("Employees' reports")), ("unanswered", _("Reports awaiting an answer")),
        ("follow_up_open", _("Follow-up open"))])

    def __init__(self, *args, employees=(), lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].choices = [("", _("Everyone I may see"))] + [
            (e.pk, f"{e.name} ({e.employee_no})") for e in employees]
        self.fields["line"].choices = [("", _("Any line"))] + [
            (ln.pk, f"{ln.contract.period} · {ln.display_title}") for ln in lines]


class TeamFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name or number")}))
    scope = forms.ChoiceField(label=_("Whom"), required=False, choices=[
        ("direct", _("My direct reports")), ("subtree", _("Everyone below me")), ("all", _("Everyone (HR)"))])
    department = DepartmentChoiceField(label=_("Department"), required=False, empty_label=_("All departments"))
    due_only = forms.BooleanField(label=_("Only those due for coaching"), required=False)

    def __init__(self, *args, hr: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        scope = self.fields["scope"]
        if hr:
            scope.initial = "all"
        else:
            scope.choices = [c for c in scope.choices if c[0] != "all"]
            scope.initial = "direct"


class SettingsForm(forms.Form):
    cadence_min_records = forms.IntegerField(label=CoachingSettings._meta.get_field("cadence_min_records").verbose_name,
                                             min_value=0, max_value=31,
                                             help_text=CoachingSettings._meta.get_field("cadence_min_records").help_text)
    cadence_days = forms.IntegerField(label=CoachingSettings._meta.get_field("cadence_days").verbose_name,
                                      min_value=7, max_value=366,
                                      help_text=CoachingSettings._meta.get_field("cadence_days").help_text)
    cadence_channel = forms.ChoiceField(
        label=CoachingSettings._meta.get_field("cadence_channel").verbose_name, required=False,
        choices=[("", _("Any formal channel")), *[(c.value, c.label) for c in Channel if c in FORMAL_CHANNELS]],
        help_text=CoachingSettings._meta.get_field("cadence_channel").help_text)
    signature_deadline_days = forms.IntegerField(
        label=CoachingSettings._meta.get_field("signature_deadline_days").verbose_name, min_value=1, max_value=90,
        help_text=CoachingSettings._meta.get_field("signature_deadline_days").help_text)
    reminder_interval_days = forms.IntegerField(
        label=CoachingSettings._meta.get_field("reminder_interval_days").verbose_name, min_value=1, max_value=30,
        help_text=CoachingSettings._meta.get_field("reminder_interval_days").help_text)
    version = forms.IntegerField(widget=forms.HiddenInput)
