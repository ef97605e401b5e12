from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.org.models import Employee

from .models import MAX_TEXT


class ChooseEmployeeForm(forms.Form):
    employee = forms.ModelChoiceField(label=_("Feedback on"), queryset=Employee.objects.none())

    def __init__(self, *args, employees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees


class RequestForm(forms.Form):
    period = forms.CharField(label=_("Review period"), max_length=7)
    closes_on = forms.DateField(label=_("Answers close on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    message = forms.CharField(label=_("What to comment on"), required=False, max_length=MAX_TEXT,
                              widget=forms.Textarea(attrs={"rows": 3}))
    peers = forms.ModelMultipleChoiceField(label=_("Peers"), required=False, queryset=Employee.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    subordinates = forms.ModelMultipleChoiceField(
        label=_("Subordinates (upward feedback, anonymous)"), required=False, queryset=Employee.objects.none(),
        widget=forms.CheckboxSelectMultiple)
    managers = forms.ModelMultipleChoiceField(label=_("Other managers"), required=False,
                                              queryset=Employee.objects.none(), widget=forms.CheckboxSelectMultiple)
    externals = forms.CharField(
        label=_("External customers"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name, e-mail. Each gets a one-time link that expires when answers close."))

    def __init__(self, *args, subject: Employee, requester_pk: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        active = Employee.objects.filter(is_active=True, user__isnull=False).exclude(pk=subject.pk)
        if requester_pk:
            active = active.exclude(pk=requester_pk)  # the one who asks does not answer
        self.fields["peers"].queryset = active.filter(department_id=subject.department_id).exclude(
            supervisor_id=subject.pk).order_by("employee_no")
        self.fields["subordinates"].queryset = active.filter(supervisor_id=subject.pk).order_by("employee_no")
        self.fields["managers"].queryset = (active.filter(direct_reports__is_active=True).exclude(supervisor_id=subject.pk)
                                            .distinct().order_by("employee_no"))
        if not self.is_bound:
            self.initial.setdefault("closes_on", timezone.localdate() + dt.timedelta(days=14))

    def clean_externals(self):
        rows = []
        for number, raw in enumerate((self.cleaned_data.get("externals") or "").splitlines(), start=1):
            raw = raw.strip()
            if not raw:
                continue
            name, sep, email = raw.replace("，", ",").rpartition(",")
            if not sep:
                raise forms.ValidationError(_("Line %(n)s: write the name, a comma, then the e-mail.") % {"n": number})
            rows.append((name.strip(), email.strip()))
        return rows


class AnswerForm(forms.Form):
    what_happened = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}),
                                    help_text=_("Facts you saw, not a score."))
    when = forms.CharField(label=_("When"), required=False, max_length=120)
    effect = forms.CharField(label=_("The effect"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
