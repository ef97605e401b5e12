"""Forms validate input; the views then call the same services as the API."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core import periods
from apps.core.periods import PeriodKind
from apps.org.models import Department, Employee, Position

from .models import AnnualPlan, OwnerKind, Perspective, PlanStatus, StrategicTheme, Strategy
from .selectors import NOT_STARTED


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- filters -----------------------------------------------------------------------------------------

class GoalTreeFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    period = forms.ChoiceField(label=_("Period"), required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("path"),
                                        required=False, empty_label=_("All departments"))
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Goal, measure or code")}))

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["period"].choices = periods.choices_for_filter()


class TeamFilterForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("All")), (NOT_STARTED, _("Not started")), *PlanStatus.choices, ("overdue", _("Overdue"))])
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("path"),
                                        required=False, empty_label=_("All departments"))
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name or number")}))
    direct = forms.BooleanField(label=_("Direct reports only"), required=False)


# --- monthly plans -----------------------------------------------------------------------------------

class PlanItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    task = forms.CharField(label=_("Task"), max_length=300, widget=forms.TextInput(attrs={"class": "task"}))
    expected_result = forms.CharField(label=_("Expected result / standard"), max_length=500, required=False)
    weight = forms.DecimalField(label=_("Weight (%)"), max_digits=5, decimal_places=2,
                                widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "100",
                                                                "class": "weight"}))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    goal = forms.TypedChoiceField(label=_("Goal served"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, goal_choices=(), first=None, last=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", _("— none —")), *goal_choices]
        if first and last:
            self.fields["due_date"].widget.attrs.update({"min": first.isoformat(), "max": last.isoformat()})

    def has_changed(self):
        # an untouched blank extra row is ignored, a row with an id never is
        return bool(self["id"].value()) or super().has_changed()


def _plain(value: Decimal) -> Decimal:
    """40.00 -> 40, 12.50 -> 12.5: what a person would type."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def item_formset(*, data=None, items=(), goal_choices=(), first=None, last=None, extra=2):
    initial = [{"id": i.pk, "task": i.task, "expected_result": i.expected_result, "weight": _plain(i.weight),
                "due_date": i.due_date, "goal": i.goal_id} for i in items]
    formset_class = forms.formset_factory(PlanItemForm, extra=extra, can_delete=True, max_num=30, absolute_max=30)
    return formset_class(data=data, initial=initial, prefix="items",
                         form_kwargs={"goal_choices": goal_choices, "first": first, "last": last})


class PlanVersionForm(VersionMixin):
    pass


class PlanReturnForm(VersionMixin):
    comment = forms.CharField(label=_("What needs to change"), widget=forms.Textarea(attrs={"rows": 2}))


class PlanReopenForm(VersionMixin):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2}))


class PlanStartForm(forms.Form):
    month = forms.CharField(widget=forms.HiddenInput)
    carry_forward = forms.BooleanField(label=_("Start from last month's unfinished items"), required=False)


class ItemCompleteForm(forms.Form):
    completed = forms.BooleanField(label=_("Done"), required=False)
    result_note = forms.CharField(label=_("Result"), max_length=500, required=False)


class BulkConfirmForm(forms.Form):
    plans = forms.TypedMultipleChoiceField(coerce=int, required=True)

    def __init__(self, *args, plan_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plans"].choices = [(i, str(i)) for i in plan_ids]


class PlanSettingsForm(VersionMixin):
    due_day = forms.IntegerField(label=_("Plans are due by day of the month"), min_value=1, max_value=28)
    remind_days_before = forms.IntegerField(label=_("Start reminding this many days before"), min_value=0,
                                            max_value=20)


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("I have discussed these goals with my supervisor and understand them."))


# --- goals -------------------------------------------------------------------------------------------

class GoalForm(VersionMixin):
    annual_plan = forms.ModelChoiceField(label=_("Annual business plan"), queryset=AnnualPlan.objects.all(),
                                         required=False)
    parent = forms.TypedChoiceField(label=_("Serves the goal"), coerce=int, empty_value=None, required=False)
    name_zh = forms.CharField(label=_("Goal (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Goal (English)"), max_length=120, required=False)
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    owner_kind = forms.ChoiceField(label=_("Owner"), choices=OwnerKind.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("path"),
                                        required=False)
    position = forms.ModelChoiceField(label=_("Position"), required=False,
                                      queryset=Position.objects.select_related("department").order_by("code"))
    employee_no = forms.CharField(label=_("Employee number"), max_length=30, required=False)
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    period_index = forms.IntegerField(label=_("Which one (half 1-2, quarter 1-4, month 1-12)"), min_value=1,
                                      max_value=12, initial=1)
    measure = forms.CharField(label=_("Measure"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    target = forms.DecimalField(label=_("Target"), max_digits=16, decimal_places=2, required=False)
    weight = forms.DecimalField(label=_("Weight in the goal above (%)"), max_digits=5, decimal_places=2,
                                min_value=0, max_value=100, initial=100)
    theme = forms.ModelChoiceField(label=_("Strategic theme"), required=False,
                                   queryset=StrategicTheme.objects.select_related("strategy"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, parent_choices=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("— none: a top company goal —")), *parent_choices]
        if editing:
            for name in ("annual_plan", "owner_kind", "department", "position", "employee_no"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        no = (data.get("employee_no") or "").strip()
        data["employee"] = None
        if data.get("owner_kind") == OwnerKind.EMPLOYEE and not self.fields["employee_no"].disabled:
            emp = Employee.objects.filter(employee_no=no, is_active=True).first() if no else None
            if emp is None:
                self.add_error("employee_no", _("No active employee has this number."))
            data["employee"] = emp
        return data


class GoalProgressForm(VersionMixin):
    progress = forms.DecimalField(label=_("Progress (%)"), max_digits=6, decimal_places=2, required=False,
                                  min_value=0, max_value=200)
    actual = forms.DecimalField(label=_("Actual"), max_digits=16, decimal_places=2, required=False)


class StrategyForm(VersionMixin):
    code = forms.CharField(label=_("Code"), max_length=40)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    start_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ThemeForm(VersionMixin):
    name_zh = forms.CharField(label=_("Theme (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Theme (English)"), max_length=120, required=False)
    perspective = forms.ChoiceField(label=_("BSC perspective"), required=False,
                                    choices=[("", _("— none —")), *Perspective.choices])
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnnualPlanForm(VersionMixin):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    strategy = forms.ModelChoiceField(label=_("Strategy"), queryset=Strategy.objects.all())
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
