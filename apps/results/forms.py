"""Forms of the talent pages: they validate input; the services decide."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LEVELS, SCALE_MAX, SCALE_MIN, AbilitySource, ActionKind, Level, PerformanceBasis

LEVEL_CHOICES = [(lv, Level(lv).label) for lv in LEVELS]


class GridFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    department = forms.ChoiceField(label=_("Department (and below)"), required=False)
    job_level = forms.ChoiceField(label=_("Job level"), required=False)

    def __init__(self, *args, departments=(), job_levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All"))] + [(str(d.pk), "—" * d.depth + " " + d.name)
                                                                for d in departments]
        self.fields["job_level"].choices = [("", _("All"))] + [(str(j.pk), j.name) for j in job_levels]


class ReviewCreateForm(forms.Form):
    cycle = forms.ChoiceField(label=_("Published cycle"))

    def __init__(self, *args, cycles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [(str(c.pk), str(c)) for c in cycles]


class ReviewSettingsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    performance_basis = forms.ChoiceField(label=_("Performance axis from"), choices=PerformanceBasis.choices)
    grade_levels = forms.CharField(label=_("Level of each grade"), required=False,
                                   help_text=_("e.g. S=high, A=high, B=medium, C=low, D=low"))
    performance_medium_from = forms.DecimalField(label=_("Performance: medium from (total)"))
    performance_high_from = forms.DecimalField(label=_("Performance: high from (total)"))
    ability_source = forms.ChoiceField(label=_("Ability axis from"), choices=AbilitySource.choices)
    ability_medium_from = forms.DecimalField(label=_("Ability: medium from (average rating)"))
    ability_high_from = forms.DecimalField(label=_("Ability: high from (average rating)"))
    behaviour_medium_from = forms.DecimalField(label=_("Ability: medium from (behaviour score)"))
    behaviour_high_from = forms.DecimalField(label=_("Ability: high from (behaviour score)"))

    def clean_grade_levels(self):
        raw = self.cleaned_data["grade_levels"].strip()
        out = {}
        for part in raw.replace("，", ",").split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise forms.ValidationError(_("Write each grade as GRADE=level, separated by commas."))
            g, lv = (x.strip() for x in part.split("=", 1))
            if lv not in LEVELS:
                raise forms.ValidationError(_("Every grade maps to low, medium or high."))
            out[g] = lv
        return out


class RatingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason for the adjustment"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, competencies=(), initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.competencies = list(competencies)
        for c in self.competencies:
            self.fields[f"c{c.pk}"] = forms.IntegerField(
                label=c.name, min_value=SCALE_MIN, max_value=SCALE_MAX, required=False,
                initial=(initial_scores or {}).get(c.pk),
                widget=forms.Select(choices=[("", "—")] + [(i, f"{i} · {c.anchor(i)}")
                                                             for i in range(SCALE_MIN, SCALE_MAX + 1)]))

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.competencies
                if self.cleaned_data.get(f"c{c.pk}") is not None}

    def rows(self):
        return [self[f"c{c.pk}"] for c in self.competencies]


class OverrideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    performance = forms.ChoiceField(label=_("Performance"), choices=LEVEL_CHOICES)
    ability = forms.ChoiceField(label=_("Ability"), choices=LEVEL_CHOICES)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    move = forms.ChoiceField(choices=[(m, m) for m in ("save", "confirm", "approve", "release", "complete", "drop", "offer")])
    title = forms.CharField(label=_("What is to be done"), required=False, max_length=200)
    details = forms.CharField(label=_("Details (goals, support, steps)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ActionAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices)
    title = forms.CharField(label=_("What is to be done"), max_length=200)
    details = forms.CharField(label=_("Details (goals, support, steps)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
