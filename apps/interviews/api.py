"""The interviews API: thin views over the same services and selectors as the pages, with the same access
rules (anyone but the employee, the manager of record and HR gets 404). Every write that two people can
make requires the ``version`` the client edited; a stale one answers 409."""
from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.appraisals.models import Appraisal, Cycle
from apps.core.drf import VersionField
from apps.core.exceptions import NotFound
from apps.core.filters import clean_query, id_field, text_field
from apps.core.roles import is_hr
from apps.org.models import Employee

from . import access, selectors, services
from .models import (
    INTERVIEW_RULES,
    Action,
    ActionKind,
    Agreement,
    GapCause,
    GoalTalk,
    OverduePolicy,
    Revision,
    Status,
    View,
)


def _interview(request, pk):
    return selectors.interview_get(user=request.user, pk=pk)[0]


def RequiredVersion():  # noqa: N802 - a field factory
    return VersionField(required=True, help_text="The version you edited; a stale one answers 409.")


# --- output ---------------------------------------------------------------------------------------------

class InterviewPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    employee_no = serializers.CharField()


class InterviewScheduleEntrySerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    location = serializers.CharField()
    video_link = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class InterviewActionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    interview = serializers.IntegerField(source="interview_id")
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    what = serializers.CharField()
    success_measure = serializers.CharField()
    owner = InterviewPersonSerializer()
    support_needed = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    progress_note = serializers.CharField()
    progress_updated_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class InterviewRevisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    indicator = serializers.IntegerField(source="indicator_id", allow_null=True)
    title = serializers.CharField(source="display_title")
    target = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    unit = serializers.CharField()
    standard = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    note = serializers.CharField()
    decision = serializers.CharField()
    contract = serializers.IntegerField(source="contract_id", allow_null=True)
    version = serializers.IntegerField()


class InterviewAddendumSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    text = serializers.CharField()
    author_role = serializers.CharField()
    created_at = serializers.DateTimeField()


class InterviewSerializer(serializers.Serializer):
    """An interview as lists show it (no record content)."""

    id = serializers.IntegerField(source="pk")
    appraisal = serializers.IntegerField(source="appraisal_id")
    cycle = serializers.IntegerField(source="cycle_id")
    period = serializers.CharField()
    employee = InterviewPersonSerializer()
    manager = InterviewPersonSerializer()
    department = serializers.IntegerField(source="department_id")
    status = serializers.ChoiceField(choices=Status.choices)
    due_date = serializers.DateField()
    overdue = serializers.SerializerMethodField()
    scheduled_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    location = serializers.CharField()
    video_link = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    signed_at = serializers.DateTimeField()
    disagreement = serializers.BooleanField()
    version = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_overdue(self, obj) -> bool:
        from django.utils import timezone

        return obj.is_open and obj.due_date < timezone.localdate()

    def get_url(self, obj) -> str:
        return reverse("interviews:detail", args=[obj.pk])


class InterviewDetailSerializer(InterviewSerializer):
    """One interview with its record, actions, revisions, addenda and schedule history."""

    held_at = serializers.DateTimeField()
    agreement = serializers.CharField()
    agreement_comment = serializers.CharField()
    progress_strengths = serializers.CharField()
    gaps = serializers.CharField()
    gap_causes = serializers.ListField(child=serializers.CharField())
    upward_feedback = serializers.CharField()
    training_needs = serializers.CharField()
    career_wishes = serializers.CharField()
    disagreement_note = serializers.CharField()
    roles = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    revisions = serializers.SerializerMethodField()
    addenda = serializers.SerializerMethodField()
    schedule_history = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    appeal_url = serializers.SerializerMethodField()

    def get_roles(self, obj) -> list[str]:
        return sorted(access.roles(self.context["request"].user, obj))

    @extend_schema_field(InterviewActionSerializer(many=True))
    def get_actions(self, obj):
        return InterviewActionSerializer(selectors.actions_of(obj), many=True).data

    @extend_schema_field(InterviewRevisionSerializer(many=True))
    def get_revisions(self, obj):
        return InterviewRevisionSerializer(selectors.revisions_of(obj), many=True).data

    @extend_schema_field(InterviewAddendumSerializer(many=True))
    def get_addenda(self, obj):
        return InterviewAddendumSerializer(selectors.addenda_of(obj), many=True).data

    @extend_schema_field(InterviewScheduleEntrySerializer(many=True))
    def get_schedule_history(self, obj):
        return InterviewScheduleEntrySerializer(selectors.schedule_history(obj), many=True).data

    def get_pdf_url(self, obj) -> str:
        return reverse("interviews:pdf", args=[obj.pk]) if obj.status == Status.SIGNED else ""

    def get_appeal_url(self, obj) -> str:
        return services.appeal_url(obj.appraisal_id) if obj.disagreement else ""


# --- interviews ------------------------------------------------------------------------------------------

FILTER_PARAMS = [
    OpenApiParameter("status", str, description="due, scheduled, submitted, signed, open, overdue, disagreement"),
    OpenApiParameter("role", str, description="manager (interviews I hold) or employee (mine)"),
    OpenApiParameter("cycle", int), OpenApiParameter("department", int), OpenApiParameter("period", str),
    OpenApiParameter("q", str, description="employee name or number"),
]


class InterviewListCreateApi(generics.ListAPIView):
    """Interviews the user may see (the employee's own, the manager's, HR all). POST (HR or the appraiser)
    makes the interview of a published appraisal due, when publication did not."""

    serializer_class = InterviewSerializer

    class InterviewListCreateInputSerializer(serializers.Serializer):
        appraisal = serializers.IntegerField()

    def get_queryset(self):
        f = clean_query(self.request.query_params, {
            "status": text_field(), "role": text_field(), "cycle": id_field(), "department": id_field(),
            "period": text_field(), "q": text_field()})
        return selectors.interview_list(user=self.request.user, filters=f)

    @extend_schema(parameters=FILTER_PARAMS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=InterviewListCreateInputSerializer, responses={201: InterviewSerializer})
    def post(self, request):
        ser = self.InterviewListCreateInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = Appraisal.objects.filter(pk=ser.validated_data["appraisal"]).first()
        if a is None:
            raise NotFound(_("Not found."))
        i = services.interview_create(actor=request.user, appraisal=a)
        return Response(InterviewSerializer(i).data, status=status.HTTP_201_CREATED)


class InterviewDetailApi(APIView):
    @extend_schema(responses=InterviewDetailSerializer)
    def get(self, request, pk):
        i = _interview(request, pk)
        return Response(InterviewDetailSerializer(i, context={"request": request}).data)


class InterviewScheduleApi(APIView):
    """The manager schedules or reschedules (both get an .ics invitation; the history is kept)."""

    class InterviewScheduleInputSerializer(serializers.Serializer):
        scheduled_at = serializers.DateTimeField()
        duration_minutes = serializers.IntegerField(required=False, default=60)
        location = serializers.CharField(required=False, allow_blank=True, default="")
        video_link = serializers.CharField(required=False, allow_blank=True, default="")
        reason = serializers.CharField(required=False, allow_blank=True, default="")
        version = RequiredVersion()

    @extend_schema(request=InterviewScheduleInputSerializer, responses=InterviewSerializer)
    def post(self, request, pk):
        i = _interview(request, pk)
        ser = self.InterviewScheduleInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        i = services.interview_schedule(actor=request.user, interview=i, scheduled_at=d["scheduled_at"],
                                        duration_minutes=d["duration_minutes"], location=d["location"],
                                        video_link=d["video_link"], reason=d["reason"], expected_version=d["version"])
        return Response(InterviewSerializer(i).data)


class InterviewIcsApi(APIView):
    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.STR})
    def get(self, request, pk):
        i = _interview(request, pk)
        if i.scheduled_at is None:
            raise NotFound(_("Not found."))
        from .ics import interview_ics

        seq = max(len(selectors.schedule_history(i)) - 1, 0)
        body = interview_ics(i, sequence=seq, url=request.build_absolute_uri(reverse("interviews:detail", args=[i.pk])))
        return HttpResponse(body, content_type="text/calendar; charset=utf-8")


class ManagerPrepApi(APIView):
    """The manager's preparation: the ten rules as a checklist and private notes (the manager's alone)."""

    class InterviewManagerPrepOutputSerializer(serializers.Serializer):
        checklist = serializers.ListField(child=serializers.CharField())
        rules = serializers.ListField(child=serializers.DictField())
        private_notes = serializers.CharField()
        version = serializers.IntegerField(allow_null=True)

    class InterviewManagerPrepInputSerializer(serializers.Serializer):
        checklist = serializers.ListField(child=serializers.ChoiceField(choices=[k for k, _label in INTERVIEW_RULES]),
                                          required=False)
        private_notes = serializers.CharField(required=False, allow_blank=True)
        version = VersionField(required=False, allow_null=True,
                               help_text="The version you edited (omit only when creating); stale = 409.")

    def _out(self, prep):
        return {"checklist": prep.checklist if prep else [], "private_notes": prep.private_notes if prep else "",
                "version": prep.version if prep else None,
                "rules": [{"key": k, "label": str(label)} for k, label in INTERVIEW_RULES]}

    def _require(self, request, pk):
        i = _interview(request, pk)
        access.require_role(request.user, i, access.MANAGER,
                            _("Only the manager who holds the interview prepares here."))
        return i

    @extend_schema(responses=InterviewManagerPrepOutputSerializer)
    def get(self, request, pk):
        i = self._require(request, pk)
        return Response(self._out(selectors.manager_prep_for(request.user, i)))

    @extend_schema(request=InterviewManagerPrepInputSerializer, responses=InterviewManagerPrepOutputSerializer)
    def put(self, request, pk):
        i = self._require(request, pk)
        ser = self.InterviewManagerPrepInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        prep = services.manager_prep_save(actor=request.user, interview=i, checklist=d.get("checklist"),
                                          private_notes=d.get("private_notes"), expected_version=d.get("version"))
        return Response(self._out(prep))


class EmployeePrepApi(APIView):
    """The employee's preparation (the manager and HR read it once shared). PUT: the employee writes it."""

    class InterviewEmployeePrepLineViewSerializer(serializers.Serializer):
        line = serializers.IntegerField()
        view = serializers.ChoiceField(choices=View.choices)
        because = serializers.CharField(required=False, allow_blank=True, default="")

    class InterviewEmployeePrepProposalSerializer(serializers.Serializer):
        indicator = serializers.CharField()
        target = serializers.CharField(required=False, allow_blank=True, default="")
        note = serializers.CharField(required=False, allow_blank=True, default="")

    class InterviewEmployeePrepOutputSerializer(serializers.Serializer):
        line_views = serializers.ListField(child=serializers.DictField())
        strengths = serializers.CharField()
        gaps = serializers.CharField()
        development_plan = serializers.CharField()
        improvement_plan = serializers.CharField()
        next_plan_proposals = serializers.ListField(child=serializers.DictField())
        manager_feedback = serializers.CharField()
        shared_at = serializers.DateTimeField(allow_null=True)
        version = serializers.IntegerField()

    class InterviewEmployeePrepInputSerializer(serializers.Serializer):
        line_views = serializers.ListField(child=serializers.DictField(), required=False)
        strengths = serializers.CharField(required=False, allow_blank=True)
        gaps = serializers.CharField(required=False, allow_blank=True)
        development_plan = serializers.CharField(required=False, allow_blank=True)
        improvement_plan = serializers.CharField(required=False, allow_blank=True)
        next_plan_proposals = serializers.ListField(child=serializers.DictField(), required=False)
        manager_feedback = serializers.CharField(required=False, allow_blank=True)
        version = VersionField(required=False, allow_null=True,
                               help_text="The version you edited (omit only when creating); stale = 409.")

    @extend_schema(responses=InterviewEmployeePrepOutputSerializer)
    def get(self, request, pk):
        i = _interview(request, pk)
        prep = selectors.employee_prep_for(request.user, i)
        if prep is None:
            raise NotFound(_("Not found."))
        return Response(self.InterviewEmployeePrepOutputSerializer(prep).data)

    @extend_schema(request=InterviewEmployeePrepInputSerializer, responses=InterviewEmployeePrepOutputSerializer)
    def put(self, request, pk):
        i = _interview(request, pk)
        ser = self.InterviewEmployeePrepInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        version = d.pop("version", None)
        prep = services.employee_prep_save(actor=request.user, interview=i, expected_version=version, **d)
        return Response(self.InterviewEmployeePrepOutputSerializer(prep).data)


class EmployeePrepShareApi(APIView):
    class InterviewEmployeePrepShareInputSerializer(serializers.Serializer):
        version = RequiredVersion()

    @extend_schema(request=InterviewEmployeePrepShareInputSerializer, responses=EmployeePrepApi.InterviewEmployeePrepOutputSerializer)
    def post(self, request, pk):
        i = _interview(request, pk)
        ser = self.InterviewEmployeePrepShareInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        prep = services.employee_prep_share(actor=request.user, interview=i,
                                            expected_version=ser.validated_data["version"])
        return Response(EmployeePrepApi.InterviewEmployeePrepOutputSerializer(prep).data)


class RecordApi(APIView):
    """PUT: the manager writes the record (fields given are changed; ``actions`` and ``revisions``, when
    given, replace the lists). Until the employee signs."""

    class InterviewRecordActionInputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ActionKind.choices, required=False, default=ActionKind.IMPROVEMENT)
        what = serializers.CharField()
        success_measure = serializers.CharField(required=False, allow_blank=True, default="")
        owner = serializers.CharField(required=False, allow_blank=True, default="",
                                      help_text="employee or manager")
        support_needed = serializers.CharField(required=False, allow_blank=True, default="")
        due_date = serializers.CharField(required=False, allow_blank=True, default="", help_text="YYYY-MM-DD")

    class InterviewRecordRevisionInputSerializer(serializers.Serializer):
        indicator = serializers.IntegerField(required=False, allow_null=True)
        title = serializers.CharField(required=False, allow_blank=True, default="")
        target = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
        unit = serializers.CharField(required=False, allow_blank=True, default="")
        standard = serializers.CharField(required=False, allow_blank=True, default="")
        weight = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
        note = serializers.CharField(required=False, allow_blank=True, default="")

    class InterviewRecordInputSerializer(serializers.Serializer):
        held_at = serializers.DateTimeField(required=False, allow_null=True)
        agreement = serializers.ChoiceField(choices=Agreement.choices, required=False, allow_blank=True)
        agreement_comment = serializers.CharField(required=False, allow_blank=True)
        progress_strengths = serializers.CharField(required=False, allow_blank=True)
        gaps = serializers.CharField(required=False, allow_blank=True)
        gap_causes = serializers.ListField(child=serializers.ChoiceField(choices=GapCause.choices), required=False)
        upward_feedback = serializers.CharField(required=False, allow_blank=True)
        training_needs = serializers.CharField(required=False, allow_blank=True)
        career_wishes = serializers.CharField(required=False, allow_blank=True)
        actions = serializers.ListField(child=serializers.DictField(), required=False)
        revisions = serializers.ListField(child=serializers.DictField(), required=False)
        version = RequiredVersion()

    @extend_schema(request=InterviewRecordInputSerializer, responses=InterviewDetailSerializer)
    def put(self, request, pk):
        i = _interview(request, pk)
        ser = self.InterviewRecordInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        version = d.pop("version")
        for key, row_ser in (("actions", self.InterviewRecordActionInputSerializer), ("revisions", self.InterviewRecordRevisionInputSerializer)):
            if key in d:
                rows = row_ser(data=d[key], many=True)
                rows.is_valid(raise_exception=True)
                d[key] = [dict(r) for r in rows.validated_data]
        i = services.record_save(actor=request.user, interview=i, expected_version=version, **d)
        return Response(InterviewDetailSerializer(i, context={"request": request}).data)


class RecordSubmitApi(APIView):
    class InterviewRecordSubmitInputSerializer(serializers.Serializer):
        version = RequiredVersion()

    @extend_schema(request=InterviewRecordSubmitInputSerializer, responses=InterviewSerializer)
    def post(self, request, pk):
        i = _interview(request, pk)
        ser = self.InterviewRecordSubmitInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        i = services.record_submit(actor=request.user, interview=i, expected_version=ser.validated_data["version"])
        return Response(InterviewSerializer(i).data)


class RecordSignApi(APIView):
    """The employee signs, or signs with a disagreement noted (then ``appeal_url`` links to the appeal)."""

    class InterviewRecordSignInputSerializer(serializers.Serializer):
        disagreement = serializers.BooleanField(required=False, default=False)
        note = serializers.CharField(required=False, allow_blank=True, default="")
        version = RequiredVersion()

    @extend_schema(request=InterviewRecordSignInputSerializer, responses=InterviewDetailSerializer)
    def post(self, request, pk):
        i = _interview(request, pk)
        ser = self.InterviewRecordSignInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        i = services.record_sign(actor=request.user, interview=i, disagreement=d["disagreement"], note=d["note"],
                                 expected_version=d["version"])
        return Response(InterviewDetailSerializer(i, context={"request": request}).data)


class AddendumApi(APIView):
    class InterviewAddendumInputSerializer(serializers.Serializer):
        text = serializers.CharField()

    @extend_schema(request=InterviewAddendumInputSerializer, responses={201: InterviewAddendumSerializer})
    def post(self, request, pk):
        i = _interview(request, pk)
        ser = self.InterviewAddendumInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        add = services.addendum_add(actor=request.user, interview=i, text=ser.validated_data["text"])
        return Response(InterviewAddendumSerializer(add).data, status=status.HTTP_201_CREATED)


class ReassignApi(APIView):
    class InterviewReassignInputSerializer(serializers.Serializer):
        manager = serializers.IntegerField()
        version = RequiredVersion()

    @extend_schema(request=InterviewReassignInputSerializer, responses=InterviewSerializer)
    def post(self, request, pk):
        i = _interview(request, pk)
        ser = self.InterviewReassignInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        manager = Employee.objects.filter(pk=ser.validated_data["manager"]).first()
        if manager is None:
            from apps.core.exceptions import ApplicationError

            raise ApplicationError(_("Unknown manager."), field="manager")
        i = services.interview_reassign(actor=request.user, interview=i, manager=manager,
                                        expected_version=ser.validated_data["version"])
        return Response(InterviewSerializer(i).data)


# --- actions and revisions ----------------------------------------------------------------------------------

class ActionListApi(generics.ListAPIView):
    """Actions of signed records the user may see."""

    serializer_class = InterviewActionSerializer

    def get_queryset(self):
        return selectors.action_list(user=self.request.user, filters=clean_query(self.request.query_params, {
            "role": text_field(), "state": text_field(), "q": text_field()}))

    @extend_schema(parameters=[OpenApiParameter("role", str, description="employee or manager"),
                               OpenApiParameter("state", str, description="open, to_confirm, overdue, done"),
                               OpenApiParameter("q", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _action(request, pk) -> Action:
    a = Action.objects.select_related("interview").filter(pk=pk).first()
    if a is None or not access.roles(request.user, a.interview):
        raise NotFound(_("Not found."))
    return a


class ActionProgressApi(APIView):
    class InterviewActionProgressInputSerializer(serializers.Serializer):
        progress = serializers.IntegerField(min_value=0, max_value=100)
        note = serializers.CharField(required=False, allow_blank=True, default="")
        version = RequiredVersion()

    @extend_schema(request=InterviewActionProgressInputSerializer, responses=InterviewActionSerializer)
    def post(self, request, pk):
        a = _action(request, pk)
        ser = self.InterviewActionProgressInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        a = services.action_progress(actor=request.user, action=a, progress=d["progress"], note=d["note"],
                                     expected_version=d["version"])
        return Response(InterviewActionSerializer(a).data)


class ActionConfirmApi(APIView):
    class InterviewActionConfirmInputSerializer(serializers.Serializer):
        version = RequiredVersion()

    @extend_schema(request=InterviewActionConfirmInputSerializer, responses=InterviewActionSerializer)
    def post(self, request, pk):
        a = _action(request, pk)
        ser = self.InterviewActionConfirmInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = services.action_confirm(actor=request.user, action=a, expected_version=ser.validated_data["version"])
        return Response(InterviewActionSerializer(a).data)


class RevisionDecideApi(APIView):
    """The manager accepts a revision (as agreed or edited) into the next contract draft, or drops it."""

    class InterviewRevisionDecideInputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=[("accept", "accept"), ("drop", "drop")])
        title = serializers.CharField(required=False, allow_blank=True)
        target = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        unit = serializers.CharField(required=False, allow_blank=True)
        standard = serializers.CharField(required=False, allow_blank=True)
        weight = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        version = RequiredVersion()

    @extend_schema(request=InterviewRevisionDecideInputSerializer, responses=InterviewRevisionSerializer)
    def post(self, request, pk):
        r = Revision.objects.select_related("interview").filter(pk=pk).first()
        if r is None or not access.roles(request.user, r.interview):
            raise NotFound(_("Not found."))
        ser = self.InterviewRevisionDecideInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        decision, version = d.pop("decision"), d.pop("version")
        r = services.revision_decide(actor=request.user, revision=r, decision=decision, expected_version=version, **d)
        return Response(InterviewRevisionSerializer(r).data)


# --- HR: completion and the cycle policy; counts for dashboards ------------------------------------------------

class CompletionApi(APIView):
    """HR: counts per department and cycle, overdue first."""

    class InterviewCompletionRowSerializer(serializers.Serializer):
        cycle_id = serializers.IntegerField()
        department_id = serializers.IntegerField()
        department_name = serializers.CharField()
        total = serializers.IntegerField()
        to_schedule = serializers.IntegerField()
        scheduled = serializers.IntegerField()
        submitted = serializers.IntegerField()
        signed = serializers.IntegerField()
        overdue = serializers.IntegerField()
        disagreement = serializers.IntegerField()

    @extend_schema(parameters=[OpenApiParameter("cycle", int)], responses=InterviewCompletionRowSerializer(many=True))
    def get(self, request):
        if not is_hr(request.user):
            raise NotFound(_("Not found."))
        cycle = request.query_params.get("cycle")
        rows = selectors.completion_by_department(cycle_id=int(cycle) if cycle and cycle.isdigit() else None)
        return Response(self.InterviewCompletionRowSerializer(rows, many=True).data)


class CyclePolicyApi(APIView):
    class InterviewCyclePolicyPolicySerializer(serializers.Serializer):
        cycle = serializers.IntegerField(source="cycle_id", read_only=True)
        window_days = serializers.IntegerField(min_value=1, max_value=60)
        policy = serializers.ChoiceField(choices=OverduePolicy.choices)
        remind_days_before = serializers.IntegerField(min_value=0, max_value=30)
        version = serializers.IntegerField(read_only=True)

    class InterviewCyclePolicyInputSerializer(InterviewCyclePolicyPolicySerializer):
        version = VersionField(required=False, allow_null=True,
                               help_text="The version you edited (omit only when HR sets it the first time).")

    def _cycle(self, request, pk):
        if not is_hr(request.user):
            raise NotFound(_("Not found."))
        c = Cycle.objects.filter(pk=pk).first()
        if c is None:
            raise NotFound(_("Not found."))
        return c

    @extend_schema(responses=InterviewCyclePolicyPolicySerializer)
    def get(self, request, pk):
        c = self._cycle(request, pk)
        return Response(self.InterviewCyclePolicyPolicySerializer(services.policy_for(c.pk)).data)

    @extend_schema(request=InterviewCyclePolicyInputSerializer, responses=InterviewCyclePolicyPolicySerializer)
    def put(self, request, pk):
        c = self._cycle(request, pk)
        ser = self.InterviewCyclePolicyInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        p = services.cycle_policy_set(actor=request.user, cycle=c, window_days=d["window_days"], policy=d["policy"],
                                      remind_days_before=d["remind_days_before"], expected_version=d.get("version"))
        return Response(self.InterviewCyclePolicyPolicySerializer(p).data)


class StatsApi(APIView):
    """Counts only, per department (for dashboards): due, held, overdue, signed with disagreement."""

    class InterviewStatsRowSerializer(serializers.Serializer):
        department = serializers.IntegerField()
        department_name = serializers.CharField()
        due = serializers.IntegerField()
        held = serializers.IntegerField()
        overdue = serializers.IntegerField()
        disagreement = serializers.IntegerField()

    @extend_schema(parameters=[OpenApiParameter("cycle", int)], responses=InterviewStatsRowSerializer(many=True))
    def get(self, request):
        if not selectors.may_see_stats(request.user):
            raise NotFound(_("Not found."))
        cycle = request.query_params.get("cycle")
        return Response(self.InterviewStatsRowSerializer(selectors.stats(
            user=request.user, cycle_id=int(cycle) if cycle and cycle.isdigit() else None), many=True).data)


# --- new hires ----------------------------------------------------------------------------------------------

class InterviewGoalTalkSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    employee = serializers.IntegerField(source="employee_id")
    manager = serializers.IntegerField(source="manager_id")
    held_on = serializers.DateField()
    note = serializers.CharField()
    acknowledged_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class InterviewNewHireSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    employee_no = serializers.CharField()
    hire_date = serializers.DateField()
    supervisor = serializers.IntegerField(source="supervisor_id", allow_null=True)
    talk = serializers.IntegerField(source="talk_id", allow_null=True)
    discussed_on = serializers.DateField(source="talk_held_on", allow_null=True)
    acknowledged_at = serializers.DateTimeField(source="talk_acknowledged_at", allow_null=True)
    goals_acknowledged_in_plans = serializers.BooleanField(source="goals_acknowledged")


class NewHireListApi(generics.ListAPIView):
    """New hires (joined in the last 90 days): a manager's direct reports, HR everyone; ``state`` filters
    not_discussed, not_acknowledged or done."""

    serializer_class = InterviewNewHireSerializer

    def get_queryset(self):
        p = self.request.query_params
        return selectors.new_hire_rows(user=self.request.user,
                                       filters={k: p.get(k) for k in ("state", "q", "department")})

    @extend_schema(parameters=[OpenApiParameter("state", str), OpenApiParameter("q", str),
                               OpenApiParameter("department", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class GoalTalkCreateApi(APIView):
    class InterviewGoalTalkCreateInputSerializer(serializers.Serializer):
        employee = serializers.IntegerField()
        held_on = serializers.DateField()
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InterviewGoalTalkCreateInputSerializer, responses={201: InterviewGoalTalkSerializer})
    def post(self, request):
        ser = self.InterviewGoalTalkCreateInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        emp = Employee.objects.filter(pk=d["employee"]).first()
        if emp is None:
            raise NotFound(_("Not found."))
        talk = services.goal_talk_record(actor=request.user, employee=emp, held_on=d["held_on"], note=d["note"])
        return Response(InterviewGoalTalkSerializer(talk).data, status=status.HTTP_201_CREATED)


class GoalTalkAcknowledgeApi(APIView):
    class InterviewGoalTalkAcknowledgeInputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, default="")
        version = RequiredVersion()

    @extend_schema(request=InterviewGoalTalkAcknowledgeInputSerializer, responses=InterviewGoalTalkSerializer)
    def post(self, request, pk):
        talk = GoalTalk.objects.filter(pk=pk).first()
        if talk is None:
            raise NotFound(_("Not found."))
        ser = self.InterviewGoalTalkAcknowledgeInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        talk = services.goal_talk_acknowledge(actor=request.user, talk=talk, note=ser.validated_data["note"],
                                              expected_version=ser.validated_data["version"])
        return Response(InterviewGoalTalkSerializer(talk).data)
