"""Forms of the pay pages: they check the shape of the input; the services decide (run_service puts their
messages on the form)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import PoolKind, ProposalStatus, RunStatus, SplitKind


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name or employee number")}))
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    cycle = forms.TypedChoiceField(label=_("Cycle"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, departments=(), cycles=(), statuses=(), search=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not search:
            del self.fields["q"]
        self.fields["department"].choices = [("", _("All departments"))] + [(d.pk, d.name) for d in departments]
        self.fields["cycle"].choices = [("", _("All cycles"))] + [(c.pk, c.display_title) for c in cycles]
        self.fields["status"].choices = [("", _("Any status"))] + list(statuses)
        if not departments:
            del self.fields["department"]
        if not cycles:
            del self.fields["cycle"]
        if not statuses:
            del self.fields["status"]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


RUN_STATUSES = RunStatus.choices
PROPOSAL_STATUSES = ProposalStatus.choices


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProfileForm(forms.Form):
    base_pay = forms.CharField(label=_("Base performance pay (CNY)"))
    salary = forms.CharField(label=_("Current salary (CNY)"), required=False)
    band_min = forms.CharField(label=_("Band minimum"), required=False)
    band_mid = forms.CharField(label=_("Band midpoint"), required=False)
    band_max = forms.CharField(label=_("Band maximum"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))


class ComputeForm(forms.Form):
    cycle = forms.TypedChoiceField(label=_("Cycle"), coerce=int)

    def __init__(self, *args, cycles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [(c.pk, c.display_title) for c in cycles]


class GradeRowForm(forms.Form):
    """One input per grade (coefficients) or two per grade and quartile (merit matrix)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, grades=(), matrix=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.grades = list(grades)
        self.matrix = matrix
        for g in self.grades:
            if matrix:
                for q in range(1, 5):
                    self.fields[f"{g}_{q}_min"] = forms.CharField(label=f"{g} Q{q} min", required=False)
                    self.fields[f"{g}_{q}_max"] = forms.CharField(label=f"{g} Q{q} max", required=False)
            else:
                self.fields[g] = forms.CharField(label=g, required=False)
        if matrix:
            self.fields["effective_date"] = forms.DateField(label=_("Salary adjustments take effect on"),
                                                            widget=forms.DateInput(attrs={"type": "date"}))

    def rows(self):
        return [(g, [(self[f"{g}_{q}_min"], self[f"{g}_{q}_max"]) for q in range(1, 5)]) for g in self.grades]

    def values(self) -> dict:
        d = self.cleaned_data
        if self.matrix:
            return {g: [[d.get(f"{g}_{q}_min"), d.get(f"{g}_{q}_max")] for q in range(1, 5)] for g in self.grades}
        return {g: d.get(g) for g in self.grades}


class BudgetForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"))
    amount = forms.CharField(label=_("Amount (CNY)"))

    def __init__(self, *args, departments=(), kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]
        self.fields["kind"].choices = list(kinds)


class ProposalForm(forms.Form):
    employee = forms.TypedChoiceField(label=_("Employee"), coerce=int)
    increase_pct = forms.CharField(label=_("Increase (%)"))
    justification = forms.CharField(label=_("Justification (needed outside the guideline or above the band)"),
                                    required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, employees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].choices = [(e.pk, f"{e.name} ({e.employee_no})") for e in employees]


class DecisionForm(VersionForm):
    note = forms.CharField(label=_("Note (required to reject)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class TeamRuleForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Team"), coerce=int)
    indicator = forms.TypedChoiceField(label=_("Indicator (sum of the members' actuals)"), coerce=int)
    min_growth_pct = forms.CharField(label=_("Beats the previous period by at least (%)"))
    pool_kind = forms.ChoiceField(label=_("Pool"), choices=PoolKind.choices)
    pool_amount = forms.CharField(label=_("Fixed pool (CNY)"), required=False)
    pool_share_pct = forms.CharField(label=_("Share of the gain (%)"), required=False)
    split = forms.ChoiceField(label=_("Split"), choices=SplitKind.choices)
    is_active = forms.BooleanField(label=pgettext_lazy("team rule", "Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, departments=(), indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]
        self.fields["indicator"].choices = [(i.pk, f"{i.name} ({i.code})") for i in indicators]
