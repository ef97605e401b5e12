"""Forms validate input, then the views call the same services as the API."""
from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from apps.org.models import Department, Employee, JobLevel, Position

from .models import (
    ContractLine,
    ContractTemplate,
    Dimension,
    Direction,
    Indicator,
    IndicatorClass,
    KpiType,
    Method,
    Perspective,
    Section,
    Status,
)
from .scoring import DEFAULT_RULE, ScoringError, validate_rule

NUM = {"step": "any", "inputmode": "decimal"}


class RuleField(forms.CharField):
    """A scoring rule as JSON text, validated by the scoring engine."""

    widget = forms.Textarea

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2, "class": "rule", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or {})
        except forms.ValidationError:
            return True

    def to_python(self, value):
        if isinstance(value, dict):
            return validate_rule(value) if value else {}
        value = super().to_python(value)
        if not value:
            return {}
        try:
            rule = json.loads(value)
        except ValueError:
            raise forms.ValidationError(gettext("The scoring rule is not valid JSON, e.g. %(example)s")
                                        % {"example": json.dumps(DEFAULT_RULE)})
        try:
            return validate_rule(rule)
        except ScoringError as exc:
            raise forms.ValidationError(exc.message)


# --- contracts -------------------------------------------------------------------------------------

class ContractFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name or employee number")}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status"))] + Status.choices)
    period = forms.CharField(label=_("Period"), required=False, max_length=7,
                             widget=forms.TextInput(attrs={"placeholder": "2026-11 / 2026-Q4"}))
    department = forms.ModelChoiceField(label=_("Department"), required=False,
                                        queryset=Department.objects.order_by("path"))
    job_level = forms.ModelChoiceField(label=_("Job level"), required=False, queryset=JobLevel.objects.all())
    mine = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("All I may see")), ("own", _("My own contracts")), ("issued", _("Contracts I issue")),
        ("to_sign", _("Awaiting my signature"))])


class ContractNewForm(forms.Form):
    employee = forms.ModelChoiceField(label=_("Appraisee (受约人)"), queryset=Employee.objects.none())
    template = forms.ModelChoiceField(label=_("Template"), required=False,
                                      queryset=ContractTemplate.objects.filter(is_active=True),
                                      empty_label=_("The template of the position or job level"))
    period = forms.CharField(label=_("Review period"), required=False, max_length=7,
                             help_text=_("Empty: the current period of the job level's review frequency "
                                          "(e.g. 2026-11 monthly, 2026-Q4 quarterly)."))
    method = forms.ChoiceField(label=_("How it is made"), choices=Method.choices, initial=Method.TOP_DOWN)

    def __init__(self, *args, employees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if employees is not None:
            self.fields["employee"].queryset = employees


class ContractHeaderForm(forms.Form):
    results_weight = forms.DecimalField(label=_("Results (KPI / CPI)"), min_value=0, max_value=100,
                                        decimal_places=2, widget=forms.NumberInput(attrs=NUM))
    behaviour_weight = forms.DecimalField(label=_("Behaviour and attitude"), min_value=0, max_value=100,
                                          decimal_places=2, widget=forms.NumberInput(attrs=NUM))
    plan_weight = forms.DecimalField(label=_("Monthly work plan"), min_value=0, max_value=100, decimal_places=2,
                                     widget=forms.NumberInput(attrs=NUM))
    appraiser = forms.ModelChoiceField(
        label=_("Appraiser (发约人)"), required=False, queryset=Employee.objects.filter(is_active=True),
        help_text=_("HR may name an appraiser outside the management chain."))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, with_appraiser: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_appraiser:
            del self.fields["appraiser"]


class LineForm(forms.Form):
    """One line of a contract or template. Choices come from the formset (no query per line)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    section = forms.ChoiceField(label=pgettext_lazy("contracts", "Section"), choices=Section.choices, initial=Section.RESULTS)
    indicator = forms.TypedChoiceField(label=_("Indicator"), required=False, coerce=int, empty_value=None)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    weight = forms.DecimalField(label=_("Weight (%)"), min_value=0, max_value=100, decimal_places=2,
                                required=False, widget=forms.NumberInput(attrs=NUM))
    standard = forms.CharField(label=_("Standard"), required=False, max_length=300)
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=16, decimal_places=4,
                                widget=forms.NumberInput(attrs=NUM))
    unit = forms.CharField(label=_("Unit"), required=False, max_length=30)
    due_date = forms.DateField(label=pgettext_lazy("contracts", "Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    milestones_total = forms.IntegerField(label=_("Milestones"), required=False, min_value=1)
    rule = RuleField(label=_("Scoring rule (JSON)"), required=False)
    data_source = forms.TypedChoiceField(label=_("Data source"), required=False, coerce=int, empty_value=None)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    goal = forms.TypedChoiceField(label=_("Goal served"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, indicator_choices=(), department_choices=(), goal_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", gettext("— none (title only) —")), *indicator_choices]
        self.fields["data_source"].choices = [("", gettext("— appraiser's rating / none —")), *department_choices]
        if goal_choices is None:  # template lines serve no particular goal
            del self.fields["goal"]
        else:
            self.fields["goal"].choices = [("", gettext("— no goal linked —")), *goal_choices]

    def clean(self):
        data = super().clean()
        if not self.cleaned_data.get("DELETE") and not data.get("indicator") and not (data.get("title") or "").strip():
            if self.has_changed():
                raise forms.ValidationError(gettext("Choose an indicator or write a title."))
        return data


LineFormSet = formset_factory(LineForm, extra=1, can_delete=True)


def line_choices() -> dict:
    """The choices every line form shares: two queries for the whole formset."""
    return {
        "indicator_choices": [(i.pk, f"{i.name} ({i.code})") for i in Indicator.objects.filter(is_active=True)],
        "department_choices": [(d.pk, d.name) for d in Department.objects.filter(is_active=True).order_by("path")],
    }


def plain_number(value):
    """A Decimal without trailing zeros for an input's initial value: 120, not 120.0000."""
    return None if value is None else format(value.normalize() + 0, "f")


def line_initial(line) -> dict:
    return {"id": line.pk, "section": line.section, "indicator": line.indicator_id, "title": line.title,
            "weight": plain_number(line.weight), "standard": line.standard, "target": plain_number(line.target),
            "unit": line.unit,
            "due_date": line.due_date, "milestones_total": line.milestones_total, "rule": line.rule,
            "data_source": line.data_source_id, "notes": line.notes, "goal": getattr(line, "goal_id", None)}


def lines_from_formset(formset) -> list[dict]:
    """The formset as the services' list of line dicts (deleted and untouched extra forms left out);
    a new line with an indicator takes the indicator's defaults for what it leaves empty."""
    wanted = [f.cleaned_data for f in formset.forms
              if f.cleaned_data and not f.cleaned_data.get("DELETE")
              and (f.cleaned_data.get("id") or f.has_changed())]
    ind_ids = {d["indicator"] for d in wanted if d.get("indicator")}
    dept_ids = {d["data_source"] for d in wanted if d.get("data_source")}
    indicators = Indicator.objects.in_bulk(ind_ids) if ind_ids else {}
    departments = Department.objects.in_bulk(dept_ids) if dept_ids else {}
    out = []
    for order, d in enumerate(wanted, start=1):
        ind = indicators.get(d.get("indicator"))
        line = {"section": d["section"], "order": order, "indicator": ind, "title": d.get("title") or "",
                "weight": d.get("weight") if d.get("weight") is not None else Decimal(0),
                "standard": d.get("standard") or "", "target": d.get("target"), "unit": d.get("unit") or "",
                "due_date": d.get("due_date"), "milestones_total": d.get("milestones_total"),
                "rule": d.get("rule") or {}, "data_source": departments.get(d.get("data_source")),
                "notes": d.get("notes") or ""}
        if "goal" in d:
            line["goal_id"] = d.get("goal")
        if d.get("id"):
            line["id"] = d["id"]
        elif ind is not None:
            line["rule"] = line["rule"] or dict(ind.default_rule or {})
            line["unit"] = line["unit"] or ind.unit
            if line["data_source"] is None and (line["rule"] or {}).get("kind") != "direct":
                line["data_source"] = ind.default_data_source
        out.append(line)
    return out


def unsaved_lines(data: list[dict]) -> list[ContractLine]:
    """Line dicts as unsaved ContractLine objects (for the live lint)."""
    lines = []
    for d in data:
        d = dict(d)
        pk = d.pop("id", None)
        line = ContractLine(**d)
        line.pk = pk
        lines.append(line)
    return lines


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why do you return it?"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class AmendForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the amendment"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ChangeProposalForm(forms.Form):
    """The appraisee proposes other targets (or standards) for some lines of the contract."""

    comment = forms.CharField(label=_("Comment to the appraiser"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            if line.target is not None or (line.rule or {}).get("kind") in ("linear", "bands"):
                self.fields[f"target_{line.pk}"] = forms.DecimalField(
                    label=line.display_title, required=False, max_digits=16, decimal_places=4,
                    initial=plain_number(line.target),
                    widget=forms.NumberInput(attrs={**NUM, "aria-label": f"{line.display_title} · {gettext('Target')}"}))
            self.fields[f"standard_{line.pk}"] = forms.CharField(
                label=gettext("Standard"), required=False, max_length=300, initial=line.standard,
                widget=forms.TextInput(attrs={"aria-label": f"{line.display_title} · {gettext('Standard')}"}))

    def rows(self):
        for line in self.lines:
            yield line, self[f"target_{line.pk}"] if f"target_{line.pk}" in self.fields else None, \
                self[f"standard_{line.pk}"]

    def changes(self) -> list[dict]:
        out = []
        for line in self.lines:
            key = f"target_{line.pk}"
            if key in self.fields:
                value = self.cleaned_data.get(key)
                if value is not None and value != line.target:
                    out.append({"line": line.pk, "field": "target", "value": str(value)})
            std = self.cleaned_data.get(f"standard_{line.pk}") or ""
            if std != (line.standard or ""):
                out.append({"line": line.pk, "field": "standard", "value": std})
        return out


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


# --- indicator library and templates ---------------------------------------------------------------

class IndicatorFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kpi_type = forms.ChoiceField(label=_("KPI type"), required=False, choices=[("", "—")] + KpiType.choices)
    dimension = forms.ChoiceField(label=_("Dimension"), required=False, choices=[("", "—")] + Dimension.choices)
    perspective = forms.ChoiceField(label=_("BSC perspective"), required=False,
                                    choices=[("", "—")] + Perspective.choices)
    indicator_class = forms.ChoiceField(label=_("KPI or CPI"), required=False,
                                        choices=[("", "—")] + IndicatorClass.choices)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("active", pgettext_lazy("contracts", "Active")), ("inactive", pgettext_lazy("contracts", "Inactive")),
        ("all", _("All"))])


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name_zh = forms.CharField(label=pgettext_lazy("contracts", "Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=pgettext_lazy("contracts", "Name (English)"), max_length=120, required=False)
    definition = forms.CharField(label=_("Definition"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    formula = forms.CharField(label=_("Formula"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    kpi_type = forms.ChoiceField(label=_("KPI type"), choices=KpiType.choices)
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    perspective = forms.ChoiceField(label=_("BSC perspective"), choices=Perspective.choices)
    indicator_class = forms.ChoiceField(label=_("KPI or CPI"), choices=IndicatorClass.choices)
    default_data_source = forms.ModelChoiceField(label=_("Default data source"), required=False,
                                                 queryset=Department.objects.filter(is_active=True).order_by("path"))
    default_rule = RuleField(label=_("Default scoring rule (JSON)"), required=False)
    is_active = forms.BooleanField(label=pgettext_lazy("contracts", "Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TemplateFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    job_level = forms.ModelChoiceField(label=_("Job level"), required=False, queryset=JobLevel.objects.all())


class TemplateForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name_zh = forms.CharField(label=pgettext_lazy("contracts", "Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=pgettext_lazy("contracts", "Name (English)"), max_length=120, required=False)
    job_level = forms.ModelChoiceField(label=_("Job level"), required=False, queryset=JobLevel.objects.all())
    position = forms.ModelChoiceField(label=_("Position"), required=False,
                                      queryset=Position.objects.select_related("department").order_by("code"),
                                      help_text=_("A position template wins over the job level's template."))
    results_weight = forms.DecimalField(label=_("Results weight (%)"), min_value=0, max_value=100, initial=70)
    behaviour_weight = forms.DecimalField(label=_("Behaviour weight (%)"), min_value=0, max_value=100, initial=30)
    plan_weight = forms.DecimalField(label=_("Work plan weight (%)"), min_value=0, max_value=100, initial=0)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=pgettext_lazy("contracts", "Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class GenerateForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department (with its sub-departments)"), required=False,
                                        queryset=Department.objects.filter(is_active=True).order_by("path"),
                                        empty_label=_("The whole company"))
    period = forms.CharField(label=_("Review period"), required=False, max_length=7,
                             help_text=_("Empty: the current period."))


# --- the rule simulator ----------------------------------------------------------------------------

class SimulatorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rule kind"), choices=[
        ("linear", _("linear: points per 1% below / above the standard")),
        ("bands", _("bands: attainment thresholds")),
        ("deadline", _("deadline: points per day late")),
        ("milestones", _("milestones: share of milestones done")),
        ("direct", _("direct: the appraiser's score in a range"))])
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, required=False)
    base = forms.DecimalField(label=_("Base score"), required=False, initial=100)
    down = forms.DecimalField(label=_("Points per 1% below"), required=False, initial=5)
    up = forms.DecimalField(label=_("Points per 1% above"), required=False, initial=5)
    floor = forms.DecimalField(label=_("Floor"), required=False, initial=0)
    cap = forms.DecimalField(label=_("Cap"), required=False, initial=150)
    bands = forms.CharField(label=_("Bands (minimum % : score, one per line)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}), initial="100: 100\n90: 80\n0: 0")
    per_day = forms.DecimalField(label=_("Points per day late"), required=False, initial=10)
    min = forms.DecimalField(label=_("Minimum"), required=False, initial=0)
    max = forms.DecimalField(label=_("Maximum"), required=False, initial=100)
    target = forms.DecimalField(label=_("Target"), required=False, initial=1200)
    actual = forms.DecimalField(label=_("Actual"), required=False, initial=1140)
    due = forms.DateField(label=pgettext_lazy("contracts", "Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    done = forms.DateField(label=_("Done on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    milestones_done = forms.IntegerField(label=_("Milestones done"), required=False)
    milestones_total = forms.IntegerField(label=_("Milestones planned"), required=False)
    value = forms.DecimalField(label=_("Appraiser's score"), required=False)

    RULE_FIELDS = {"linear": ("direction", "base", "down", "up", "floor", "cap"), "bands": ("direction",),
                   "deadline": ("base", "per_day", "floor"), "milestones": ("base",), "direct": ("min", "max")}
    INPUT_FIELDS = {"linear": ("target", "actual"), "bands": ("target", "actual"), "deadline": ("due", "done"),
                    "milestones": ("milestones_done", "milestones_total"), "direct": ("value",)}

    def rule(self) -> dict:
        d = self.cleaned_data
        kind = d["kind"]
        rule: dict = {"kind": kind}
        for name in self.RULE_FIELDS[kind]:
            value = d.get(name)
            if value not in (None, ""):
                rule[name] = value
        if kind == "linear":
            for bound in ("floor", "cap"):
                if d.get(bound) is None:
                    rule[bound] = None
        if kind == "bands":
            bands = []
            for row in (d.get("bands") or "").splitlines():
                if not row.strip():
                    continue
                minimum, _sep, score = row.replace("：", ":").partition(":")
                bands.append({"min": minimum.strip().rstrip("%"), "score": score.strip()})
            rule["bands"] = bands
        return rule

    def inputs(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in self.INPUT_FIELDS[d["kind"]] if d.get(k) not in (None, "")}

