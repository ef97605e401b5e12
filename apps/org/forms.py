from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Department, Employee, JobLevel, Position, ReviewFrequency


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments in tree order, indented by depth, so the tree shows in a plain select."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Department.objects.filter(is_active=True).order_by("path"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return "\u3000" * obj.depth + obj.name


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, number or e-mail")}))
    department = DepartmentChoiceField(label=_("Department"), required=False)
    job_level = forms.ModelChoiceField(label=_("Job level"), queryset=JobLevel.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("active", _("Active")), ("left", _("Left")), ("all", _("All"))])


class EmployeeForm(forms.Form):
    """The personnel record; fields the user may not write are shown disabled."""

    employee_no = forms.CharField(label=_("Employee number"), max_length=30)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    department = DepartmentChoiceField(label=_("Department"))
    position = forms.ModelChoiceField(label=_("Position"), queryset=Position.objects.select_related("department"),
                                      required=False)
    supervisor = forms.ModelChoiceField(label=_("Direct supervisor"), required=False,
                                        queryset=Employee.objects.filter(is_active=True))
    hire_date = forms.DateField(label=_("Hire date"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, writable: frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version" and name not in writable:
                field.disabled = True


class JobLevelForm(forms.Form):
    review_frequency = forms.ChoiceField(label=_("Review frequency"), choices=ReviewFrequency.choices)
