"""Forms validate input; the services decide (``run_service`` puts domain errors on the form)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.coaching.models import ALLOWED_ATTACHMENT_TYPES

from .models import Addressee, Outcome, WindowRule

ACCEPT = ",".join(f".{ext}" for ext in sorted(ALLOWED_ATTACHMENT_TYPES))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FileAppealForm(forms.Form):
    lines = forms.MultipleChoiceField(label=_("Lines you contest"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    contests_grade = forms.BooleanField(label=_("I contest the grade"), required=False)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    outcome_asked = forms.CharField(label=_("Outcome you ask for"), widget=forms.Textarea(attrs={"rows": 2}),
                                    required=False)
    files = MultipleFileField(label=_("Evidence (optional)"), required=False)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [(str(ln.pk), f"{ln.display_title} · {ln.score}") for ln in lines]


class EvidenceForm(forms.Form):
    files = MultipleFileField(label=_("Evidence"), required=False)


class TriageForm(VersionForm):
    accept = forms.TypedChoiceField(label=_("Triage"), choices=[("1", _("Accept for review")),
                                                                 ("0", _("Reject as out of scope"))],
                                    coerce=lambda v: v == "1", widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class InfoRequestForm(VersionForm):
    addressee = forms.ChoiceField(label=_("Ask"), choices=Addressee.choices)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    due_date = forms.DateField(label=_("Answer due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    shared_with_manager = forms.CharField(
        label=_("Shared with the manager"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The manager sees only this, the contested lines and your question."))


class AnswerForm(VersionForm):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class HearingForm(VersionForm):
    held_at = forms.DateTimeField(label=pgettext_lazy("hearing", "Held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notes = forms.CharField(label=_("Record of the hearing"), widget=forms.Textarea(attrs={"rows": 4}),
                            required=False)


class DecideForm(VersionForm):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Reasons (the employee reads them)"), widget=forms.Textarea(attrs={"rows": 4}),
                              required=False)
    grade = forms.ChoiceField(label=_("Corrected grade"), required=False)
    accept_quota_breach = forms.BooleanField(label=_("Apply even if a hard grade quota is broken"), required=False)
    confirm = forms.BooleanField(label=_("I confirm: the decision is final and the result is corrected"))

    def __init__(self, *args, lines=(), grades=(), contests_grade=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for ln in self.lines:
            label = _("Corrected actual") if ln.needs_data else _("Corrected score")
            self.fields[f"line_{ln.pk}"] = forms.CharField(label=f"{ln.display_title}: {label}", required=False)
        if contests_grade:
            self.fields["grade"].choices = [("", "—"), *[(g, g) for g in grades]]
        else:
            del self.fields["grade"]

    def corrections(self) -> list[dict]:
        out = []
        for ln in self.lines:
            value = (self.cleaned_data.get(f"line_{ln.pk}") or "").strip()
            if value:
                out.append({"id": ln.pk, "actual" if ln.needs_data else "score": value})
        return out


class ConcernForm(forms.Form):
    appraisal = forms.TypedChoiceField(label=_("Whose result"), coerce=int)
    reasons = forms.CharField(label=_("What concerns you"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, appraisals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appraisal"].choices = [(a.pk, f"{a.employee.name} · {a.period_label}") for a in appraisals]


class ConcernHandleForm(VersionForm):
    action = forms.ChoiceField(choices=[("dismiss", _("Dismiss")), ("review", _("Open a review"))],
                               widget=forms.RadioSelect, label=_("Decision"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lines = forms.MultipleChoiceField(label=_("Lines to review"), required=False, widget=forms.CheckboxSelectMultiple)
    contests_grade = forms.BooleanField(label=_("Review the grade"), required=False)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [(str(ln.pk), ln.display_title) for ln in lines]


class PolicyForm(VersionForm):
    window_days = forms.IntegerField(label=_("Appeal window (calendar days)"), min_value=1, max_value=365)
    window_rule = forms.ChoiceField(label=_("The window starts"), choices=WindowRule.choices)
    triage_days = forms.IntegerField(label=_("Triage within (days of filing)"), min_value=1, max_value=365)
    decision_days = forms.IntegerField(label=_("Decision within (days of filing)"), min_value=1, max_value=365)
