"""Forms validate input shapes, then the views call the same services as the API."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    INTERVIEW_RULES,
    ActionKind,
    Agreement,
    GapCause,
    OverduePolicy,
    Status,
    View,
)

DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
TEXTAREA = {"rows": 3}


def _dt_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def local_input(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FilterForm(forms.Form):
    STATUS_CHOICES = [("", _("Any status")), ("open", _("Not held yet")), ("overdue", _("Overdue")),
                      *Status.choices, ("disagreement", _("Signed with disagreement"))]
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name or employee number")}))
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    cycle = forms.ChoiceField(label=_("Cycle"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, *args, cycles=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [("", _("All cycles")), *[(str(c.pk), c.display_title) for c in cycles]]
        if departments:
            self.fields["department"].choices = [("", _("All departments")),
                                                 *[(str(d.pk), d.name) for d in departments]]
        else:
            del self.fields["department"]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ScheduleForm(VersionMixin):
    scheduled_at = forms.DateTimeField(label=_("Date and time"), input_formats=DT_FORMATS, widget=_dt_widget())
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=10, max_value=480, initial=60)
    location = forms.CharField(label=_("Place"), required=False, max_length=200)
    video_link = forms.URLField(label=_("Video link"), required=False, max_length=500, assume_scheme="https")
    reason = forms.CharField(label=_("Reason for rescheduling"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ManagerPrepForm(VersionMixin):
    checklist = forms.MultipleChoiceField(label=_("The ten interview rules"), choices=INTERVIEW_RULES,
                                          required=False, widget=forms.CheckboxSelectMultiple)
    private_notes = forms.CharField(label=_("Private notes (only you see them)"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 6}))


class EmployeePrepForm(VersionMixin):
    """The fixed fields; the views per line and the proposals are rows read by ``line_views`` and
    ``proposals`` from the same POST."""

    strengths = forms.CharField(label=_("My strengths"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    gaps = forms.CharField(label=_("My gaps"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    development_plan = forms.CharField(label=_("Draft personal development plan"), required=False,
                                       widget=forms.Textarea(attrs=TEXTAREA))
    improvement_plan = forms.CharField(label=_("Draft improvement plan"), required=False,
                                       widget=forms.Textarea(attrs=TEXTAREA))
    manager_feedback = forms.CharField(label=_("Feedback for my manager"), required=False,
                                       widget=forms.Textarea(attrs=TEXTAREA))

    PROPOSAL_ROWS = 3

    def __init__(self, *args, lines=(), prep=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        views = {v["line"]: v for v in (prep.line_views if prep else [])}
        for ln in self.lines:
            v = views.get(ln.pk, {})
            self.fields[f"view_{ln.pk}"] = forms.ChoiceField(
                label=ln.display_title, required=False, choices=[("", _("No view")), *View.choices],
                initial=v.get("view", ""), widget=forms.RadioSelect)
            self.fields[f"because_{ln.pk}"] = forms.CharField(
                label=_("because"), required=False, initial=v.get("because", ""), max_length=2000,
                widget=forms.TextInput(attrs={"placeholder": _("because ...")}))
        proposals = list(prep.next_plan_proposals if prep else [])
        self.proposal_count = max(self.PROPOSAL_ROWS, len(proposals) + 1)
        for n in range(self.proposal_count):
            p = proposals[n] if n < len(proposals) else {}
            self.fields[f"proposal_indicator_{n}"] = forms.CharField(
                label=_("Indicator"), required=False, initial=p.get("indicator", ""), max_length=300,
                widget=forms.TextInput(attrs={"placeholder": _("Indicator")}))
            self.fields[f"proposal_target_{n}"] = forms.CharField(
                label=_("Target"), required=False, initial=p.get("target", ""), max_length=300,
                widget=forms.TextInput(attrs={"placeholder": _("Target")}))
            self.fields[f"proposal_note_{n}"] = forms.CharField(
                label=_("Note"), required=False, initial=p.get("note", ""), max_length=300,
                widget=forms.TextInput(attrs={"placeholder": _("Note")}))

    def line_rows(self):
        return [{"line": ln, "view": self[f"view_{ln.pk}"], "because": self[f"because_{ln.pk}"]} for ln in self.lines]

    def proposal_rows(self):
        return [{"indicator": self[f"proposal_indicator_{n}"], "target": self[f"proposal_target_{n}"],
                 "note": self[f"proposal_note_{n}"]} for n in range(self.proposal_count)]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "line_views": [{"line": ln.pk, "view": d.get(f"view_{ln.pk}") or "",
                            "because": d.get(f"because_{ln.pk}") or ""} for ln in self.lines],
            "next_plan_proposals": [{"indicator": d.get(f"proposal_indicator_{n}") or "",
                                     "target": d.get(f"proposal_target_{n}") or "",
                                     "note": d.get(f"proposal_note_{n}") or ""} for n in range(self.proposal_count)],
            **{k: d.get(k) or "" for k in ("strengths", "gaps", "development_plan", "improvement_plan",
                                           "manager_feedback")},
        }


OWNER_CHOICES = [("", _("Owner")), ("employee", _("Employee")), ("manager", _("Manager"))]


class RecordForm(VersionMixin):
    """The record; its actions and revisions are rows (``action-N-...``, ``revision-N-...``) of the same POST."""

    held_at = forms.DateTimeField(label=_("Held at"), required=False, input_formats=DT_FORMATS, widget=_dt_widget())
    agreement = forms.ChoiceField(label=_("Agreement on the result"), required=False,
                                  choices=Agreement.choices, widget=forms.RadioSelect)
    agreement_comment = forms.CharField(label=_("Comments on the result"), required=False,
                                        widget=forms.Textarea(attrs=TEXTAREA))
    progress_strengths = forms.CharField(label=_("Progress and strengths"), required=False,
                                         widget=forms.Textarea(attrs=TEXTAREA))
    gaps = forms.CharField(label=_("Gaps"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    gap_causes = forms.MultipleChoiceField(label=_("Causes of the gaps"), required=False, choices=GapCause.choices,
                                           widget=forms.CheckboxSelectMultiple)
    upward_feedback = forms.CharField(label=_("What the manager should do differently"), required=False,
                                      widget=forms.Textarea(attrs=TEXTAREA))
    training_needs = forms.CharField(label=_("Training needs"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    career_wishes = forms.CharField(label=_("Career wishes"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    ACTION_FIELDS = ("kind", "what", "success_measure", "owner", "support_needed", "due_date")
    REVISION_FIELDS = ("indicator", "title", "target", "unit", "weight", "note")

    def __init__(self, *args, interview=None, actions=(), revisions=(), indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.interview = interview
        self.indicators = list(indicators)
        data = self.data if self.is_bound else None
        if data is not None:
            self.action_count = self._count(data, "action")
            self.revision_count = self._count(data, "revision")
            self.action_values = [{f: data.get(f"action-{n}-{f}", "") for f in self.ACTION_FIELDS}
                                  for n in range(self.action_count)]
            self.revision_values = [{f: data.get(f"revision-{n}-{f}", "") for f in self.REVISION_FIELDS}
                                    for n in range(self.revision_count)]
        else:
            owner = {interview.employee_id: "employee", interview.manager_id: "manager"} if interview else {}
            self.action_values = [{"kind": a.kind, "what": a.what, "success_measure": a.success_measure,
                                   "owner": owner.get(a.owner_id, ""), "support_needed": a.support_needed,
                                   "due_date": a.due_date.isoformat()} for a in actions]
            self.revision_values = [{"indicator": str(r.indicator_id or ""), "title": r.title,
                                     "target": "" if r.target is None else f"{r.target.normalize():f}",
                                     "unit": r.unit, "weight": "" if r.weight is None else f"{r.weight.normalize():f}",
                                     "note": r.note} for r in revisions]
            self.action_values += [dict.fromkeys(self.ACTION_FIELDS, "") for _n in range(2)]
            self.revision_values += [dict.fromkeys(self.REVISION_FIELDS, "") for _n in range(2)]
            self.action_count, self.revision_count = len(self.action_values), len(self.revision_values)

    @staticmethod
    def _count(data, prefix) -> int:
        try:
            return min(int(data.get(f"{prefix}-count") or 0), 30)
        except ValueError:
            return 0

    def action_rows(self) -> list[dict]:
        return [{"n": n, **v} for n, v in enumerate(self.action_values)]

    def revision_rows(self) -> list[dict]:
        return [{"n": n, **v} for n, v in enumerate(self.revision_values)]

    kind_choices = ActionKind.choices
    owner_choices = OWNER_CHOICES

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "held_at": d.get("held_at"), "agreement": d.get("agreement") or "",
            "gap_causes": d.get("gap_causes") or [],
            **{k: d.get(k) or "" for k in ("agreement_comment", "progress_strengths", "gaps", "upward_feedback",
                                           "training_needs", "career_wishes")},
            "actions": [dict(v) for v in self.action_values],
            "revisions": [dict(v) for v in self.revision_values],
        }


class SignForm(VersionMixin):
    decision = forms.ChoiceField(label=_("Your signature"), widget=forms.RadioSelect, initial="agree", choices=[
        ("agree", _("I have read the record and sign it")),
        ("disagree", _("I sign it, with my disagreement noted"))])
    note = forms.CharField(label=_("What do you disagree with?"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AddendumForm(forms.Form):
    text = forms.CharField(label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 3}))


class PolicyForm(VersionMixin):
    window_days = forms.IntegerField(label=_("Held within (working days after publication)"), min_value=1,
                                     max_value=60)
    policy = forms.ChoiceField(label=_("When the window passes"), choices=OverduePolicy.choices)
    remind_days_before = forms.IntegerField(label=_("Remind the manager this many days before"), min_value=0,
                                            max_value=30)


class ProgressForm(VersionMixin):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class RevisionDecideForm(VersionMixin):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("drop", _("Drop"))])
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    target = forms.CharField(label=_("Target"), required=False, max_length=40)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=30)
    standard = forms.CharField(label=_("Standard"), required=False, max_length=300)
    weight = forms.CharField(label=_("Weight (%)"), required=False, max_length=10)

    def edits(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("title", "target", "unit", "standard", "weight")
                if k in self.data}


class GoalTalkForm(forms.Form):
    held_on = forms.DateField(label=_("Discussed on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("What was agreed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AcknowledgeForm(VersionMixin):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(VersionMixin):
    manager = forms.ChoiceField(label=_("Manager who holds the interview"))

    def __init__(self, *args, managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].choices = [(str(m.pk), f"{m.name} ({m.employee_no})") for m in managers]
