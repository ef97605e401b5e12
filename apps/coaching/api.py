"""The coaching API: records, responses, signatures, progress reports and the performance file.

Thin: input serializers validate shapes, the services decide, the selectors read with the same
access rules as the pages (a record the user may not see is 404).
"""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.contracts.models import ContractLine
from apps.core.drf import VersionField
from apps.core.exceptions import NotFound
from apps.org import access
from apps.org.models import Employee
from apps.plans.models import Goal, PlanItem

from . import selectors, services
from .models import REPORT_KINDS, Channel, CoachingSettings, Kind, SignDecision, Source

PARSERS = [JSONParser, MultiPartParser, FormParser]


# --- output ----------------------------------------------------------------------------------------

class CoachingPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    employee_no = serializers.CharField()


class CoachingAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    type = serializers.CharField(source="extension")
    uploaded_at = serializers.DateTimeField(source="created_at")
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("coaching:attachment", args=[obj.pk])


class CoachingNoteSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    text = serializers.CharField()
    with_signature = serializers.CharField()
    author = serializers.CharField(source="author_name")
    created_at = serializers.DateTimeField()
    attachments = CoachingAttachmentSerializer(many=True, source="attachments.all")


class CoachingRevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    data = serializers.JSONField()
    reason = serializers.CharField()
    written_by = serializers.CharField(source="created_by.username")
    written_at = serializers.DateTimeField(source="created_at")


class CoachingLineRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    contract = serializers.IntegerField()
    period = serializers.CharField()


class CoachingGoalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CoachingPlanItemRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task = serializers.CharField()


class CoachingRecordSerializer(serializers.Serializer):
    """A record as lists show it (no notes or files; their counts)."""

    id = serializers.IntegerField(source="pk")
    employee = CoachingPersonSerializer()
    period = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    channel = serializers.CharField()
    formal = serializers.BooleanField(source="is_formal")
    source = serializers.CharField()
    occurred_on = serializers.DateField()
    summary = serializers.CharField()
    facts = serializers.CharField()
    evidence = serializers.CharField()
    contract_line = serializers.SerializerMethodField()
    goal = serializers.SerializerMethodField()
    plan_item = serializers.SerializerMethodField()
    follow_up = serializers.CharField()
    follow_up_due = serializers.DateField()
    follow_up_done_at = serializers.DateTimeField()
    follow_up_state = serializers.CharField()
    serious = serializers.BooleanField()
    sign_status = serializers.CharField()
    sign_decision = serializers.CharField()
    signed_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField()
    escalated_at = serializers.DateTimeField()
    is_employee_report = serializers.BooleanField()
    answered_at = serializers.DateTimeField()
    author = serializers.SerializerMethodField()
    revision = serializers.IntegerField()
    corrected_at = serializers.DateTimeField()
    correctable_until = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()
    note_count = serializers.IntegerField(required=False)
    attachment_count = serializers.IntegerField(required=False)
    url = serializers.SerializerMethodField()

    @extend_schema_field(CoachingLineRefSerializer(allow_null=True))
    def get_contract_line(self, obj):
        ln = obj.contract_line
        if ln is None:
            return None
        return {"id": ln.pk, "title": ln.display_title, "contract": ln.contract_id, "period": ln.contract.period}

    @extend_schema_field(CoachingGoalRefSerializer(allow_null=True))
    def get_goal(self, obj):
        return {"id": obj.goal.pk, "name": obj.goal.name} if obj.goal_id else None

    @extend_schema_field(CoachingPlanItemRefSerializer(allow_null=True))
    def get_plan_item(self, obj):
        return {"id": obj.plan_item.pk, "task": obj.plan_item.task} if obj.plan_item_id else None

    def get_author(self, obj) -> str:
        return obj.author_employee.name if obj.author_employee_id else obj.author.get_username()

    def get_url(self, obj) -> str:
        return reverse("coaching:detail", args=[obj.pk])


class CoachingRecordDetailSerializer(CoachingRecordSerializer):
    notes = CoachingNoteSerializer(many=True, source="notes.all")
    attachments = CoachingAttachmentSerializer(many=True, source="own_attachments")
    revisions = CoachingRevisionSerializer(many=True, source="revisions.all")
    signed_hash = serializers.CharField()


def _detail(request, pk, code=status.HTTP_200_OK):
    record = selectors.record_get(user=request.user, pk=pk)
    return Response(CoachingRecordDetailSerializer(record).data, status=code)


# --- input helpers ---------------------------------------------------------------------------------

class CoachingLinkFields(serializers.Serializer):
    contract_line = serializers.PrimaryKeyRelatedField(queryset=ContractLine.objects.select_related("contract"),
                                                       required=False, allow_null=True)
    plan_item = serializers.PrimaryKeyRelatedField(queryset=PlanItem.objects.select_related("plan"),
                                                   required=False, allow_null=True)
    goal = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.all(), required=False, allow_null=True)


def _files(request) -> list:
    return request.FILES.getlist("files") if hasattr(request, "FILES") else []


def _employee_for(user, pk) -> Employee:
    emp = Employee.objects.select_related("position__job_level").filter(pk=pk).first()
    if emp is None or not access.can(user, access.READ, "coaching", emp):
        raise NotFound(_("Not found."))
    return emp


# --- records ---------------------------------------------------------------------------------------

class CoachingRecordFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True)
    employee = serializers.IntegerField(required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    period = serializers.CharField(required=False, allow_blank=True)
    line = serializers.IntegerField(required=False)
    goal = serializers.IntegerField(required=False)
    plan_item = serializers.IntegerField(required=False)
    state = serializers.ChoiceField(required=False, choices=[
        "serious", "unsigned", "escalated", "unacknowledged", "reports", "unanswered", "follow_up_open"])
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class RecordListCreateApi(ListAPIView):
    """GET: records the user may read (search and filters, paginated). POST: a manager's record."""

    serializer_class = CoachingRecordSerializer
    filter_backends = []
    parser_classes = PARSERS

    class CoachingRecordCreateSerializer(CoachingLinkFields):
        employee = serializers.IntegerField()
        kind = serializers.ChoiceField(choices=Kind.choices)
        channel = serializers.ChoiceField(choices=Channel.choices)
        source = serializers.ChoiceField(choices=Source.choices, required=False, default=Source.MANAGER)
        occurred_on = serializers.DateField(required=False)
        period = serializers.CharField(required=False, allow_blank=True)
        summary = serializers.CharField(max_length=200)
        facts = serializers.CharField()
        evidence = serializers.CharField(required=False, allow_blank=True, default="")
        follow_up = serializers.CharField(required=False, allow_blank=True, default="")
        follow_up_due = serializers.DateField(required=False, allow_null=True)
        serious = serializers.BooleanField(required=False, default=False)

    def get_queryset(self):
        ser = CoachingRecordFilterSerializer(data=self.request.query_params)
        ser.is_valid(raise_exception=True)
        return selectors.record_list(user=self.request.user, filters=dict(ser.validated_data))

    @extend_schema(parameters=[CoachingRecordFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CoachingRecordCreateSerializer, responses={201: CoachingRecordDetailSerializer})
    def post(self, request):
        ser = self.CoachingRecordCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        emp = _employee_for(request.user, data.pop("employee"))
        record = services.record_create(actor=request.user, employee=emp, files=_files(request), **data)
        return _detail(request, record.pk, status.HTTP_201_CREATED)


class RecordDetailApi(APIView):
    """GET one record (notes, files, revisions). PATCH: the author's correction within 24 hours."""

    parser_classes = PARSERS

    class CoachingRecordCorrectSerializer(CoachingLinkFields):
        kind = serializers.ChoiceField(choices=Kind.choices, required=False)
        channel = serializers.ChoiceField(choices=Channel.choices, required=False)
        source = serializers.ChoiceField(choices=Source.choices, required=False)
        occurred_on = serializers.DateField(required=False)
        period = serializers.CharField(required=False)
        summary = serializers.CharField(max_length=200, required=False)
        facts = serializers.CharField(required=False)
        evidence = serializers.CharField(required=False, allow_blank=True)
        follow_up = serializers.CharField(required=False, allow_blank=True)
        follow_up_due = serializers.DateField(required=False, allow_null=True)
        serious = serializers.BooleanField(required=False)
        reason = serializers.CharField(required=False, allow_blank=True, default="")
        version = VersionField()

    @extend_schema(responses=CoachingRecordDetailSerializer)
    def get(self, request, pk):
        return _detail(request, pk)

    @extend_schema(request=CoachingRecordCorrectSerializer, responses=CoachingRecordDetailSerializer)
    def patch(self, request, pk):
        record = selectors.record_get(user=request.user, pk=pk)
        ser = self.CoachingRecordCorrectSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        reason = data.pop("reason", "")
        services.record_correct(actor=request.user, record=record, expected_version=version, reason=reason,
                                files=_files(request), **data)
        return _detail(request, pk)


class CoachingTextSerializer(serializers.Serializer):
    text = serializers.CharField()


class RecordResponseApi(APIView):
    """POST: the employee's written response (text, optional files)."""

    parser_classes = PARSERS

    @extend_schema(request=CoachingTextSerializer, responses={201: CoachingRecordDetailSerializer})
    def post(self, request, pk):
        record = selectors.record_get(user=request.user, pk=pk)
        ser = CoachingTextSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.record_respond(actor=request.user, record=record, text=ser.validated_data["text"],
                                files=_files(request))
        return _detail(request, pk, status.HTTP_201_CREATED)


class RecordAddendumApi(APIView):
    """POST: an addendum by the author, the direct manager or HR (the only change after 24 hours)."""

    parser_classes = PARSERS

    @extend_schema(request=CoachingTextSerializer, responses={201: CoachingRecordDetailSerializer})
    def post(self, request, pk):
        record = selectors.record_get(user=request.user, pk=pk)
        ser = CoachingTextSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.record_addendum_add(actor=request.user, record=record, text=ser.validated_data["text"],
                                     files=_files(request))
        return _detail(request, pk, status.HTTP_201_CREATED)


class RecordAttachmentsApi(APIView):
    """POST (multipart, field ``files``): more evidence by the author within the correction window."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=None, responses={201: CoachingRecordDetailSerializer})
    def post(self, request, pk):
        record = selectors.record_get(user=request.user, pk=pk)
        services.record_attachments_add(actor=request.user, record=record, files=_files(request))
        return _detail(request, pk, status.HTTP_201_CREATED)


class RecordAcknowledgeApi(APIView):
    @extend_schema(request=None, responses=CoachingRecordDetailSerializer)
    def post(self, request, pk):
        record = selectors.record_get(user=request.user, pk=pk)
        services.record_acknowledge(actor=request.user, record=record)
        return _detail(request, pk)


class RecordSignatureApi(APIView):
    """POST: the employee signs a serious record ("agree", or "disagree" with a response)."""

    class CoachingSignatureSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=SignDecision.choices)
        response = serializers.CharField(required=False, allow_blank=True, default="")
        version = VersionField()

    @extend_schema(request=CoachingSignatureSerializer, responses=CoachingRecordDetailSerializer)
    def post(self, request, pk):
        record = selectors.record_get(user=request.user, pk=pk)
        ser = self.CoachingSignatureSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        services.record_sign(actor=request.user, record=record, decision=d["decision"], response=d["response"],
                             expected_version=d.get("version"))
        return _detail(request, pk)


class RecordFollowUpDoneApi(APIView):
    @extend_schema(request=None, responses=CoachingRecordDetailSerializer)
    def post(self, request, pk):
        record = selectors.record_get(user=request.user, pk=pk)
        services.follow_up_complete(actor=request.user, record=record)
        return _detail(request, pk)


# --- progress reports ------------------------------------------------------------------------------

class ProgressReportListCreateApi(ListAPIView):
    """GET: employees' progress reports and requests for help the user may read. POST: file one."""

    serializer_class = CoachingRecordSerializer
    filter_backends = []
    parser_classes = PARSERS

    class CoachingProgressReportSerializer(CoachingLinkFields):
        kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in Kind if k in REPORT_KINDS])
        summary = serializers.CharField(max_length=200)
        facts = serializers.CharField()
        evidence = serializers.CharField(required=False, allow_blank=True, default="")
        occurred_on = serializers.DateField(required=False)

    def get_queryset(self):
        ser = CoachingRecordFilterSerializer(data=self.request.query_params)
        ser.is_valid(raise_exception=True)
        filters = dict(ser.validated_data)
        if filters.get("state") != "unanswered":
            filters["state"] = "reports"
        return selectors.record_list(user=self.request.user, filters=filters)

    @extend_schema(parameters=[CoachingRecordFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CoachingProgressReportSerializer, responses={201: CoachingRecordDetailSerializer})
    def post(self, request):
        ser = self.CoachingProgressReportSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        record = services.progress_report_file(actor=request.user, files=_files(request), **ser.validated_data)
        return _detail(request, record.pk, status.HTTP_201_CREATED)


class ProgressReportAnswerApi(APIView):
    """POST: the direct manager (or HR) answers a progress report or a request for help."""

    parser_classes = PARSERS

    @extend_schema(request=CoachingTextSerializer, responses={201: CoachingRecordDetailSerializer})
    def post(self, request, pk):
        record = selectors.record_get(user=request.user, pk=pk)
        ser = CoachingTextSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.progress_report_answer(actor=request.user, record=record, text=ser.validated_data["text"],
                                        files=_files(request))
        return _detail(request, pk, status.HTTP_201_CREATED)


# --- the performance file and settings ------------------------------------------------------------------

class PerformanceFileApi(APIView):
    """GET: one employee's file for a period (``?period=2026-11``, or all periods): counts,
    follow-ups, and the records grouped by contract line."""

    @extend_schema(responses=None)
    def get(self, request, employee_pk):
        emp = _employee_for(request.user, employee_pk)
        period = (request.query_params.get("period") or "").strip() or None
        pfile = selectors.performance_file(user=request.user, employee=emp, period=period)
        records = CoachingRecordSerializer(pfile.records, many=True).data
        by_id = {r["id"]: r for r in records}
        return Response({
            "employee": CoachingPersonSerializer(emp).data,
            "period": pfile.period,
            "counts": pfile.counts,
            "follow_ups_open": [r.pk for r in pfile.follow_ups_open],
            "follow_ups_done": [r.pk for r in pfile.follow_ups_done],
            "unsigned_serious": [r.pk for r in pfile.unsigned_serious],
            "by_contract_line": {str(k): [r.pk for r in v] for k, v in pfile.by_line.items()},
            "records": [by_id[r.pk] for r in pfile.records],
            "pdf": reverse("coaching:file_pdf", args=[emp.pk]) + (f"?period={pfile.period}" if pfile.period else ""),
        })


class SettingsApi(APIView):
    """GET: the coaching cadence and signature deadline. PUT/PATCH: HR changes them."""

    class CoachingSettingsSerializer(serializers.Serializer):
        cadence_min_records = serializers.IntegerField(min_value=0, max_value=31, required=False)
        cadence_days = serializers.IntegerField(min_value=7, max_value=366, required=False)
        cadence_channel = serializers.ChoiceField(choices=[("", "any formal"), *Channel.choices], required=False,
                                                  allow_blank=True)
        signature_deadline_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
        reminder_interval_days = serializers.IntegerField(min_value=1, max_value=30, required=False)
        version = VersionField()

    def _out(self, conf: CoachingSettings):
        return {**{f: getattr(conf, f) for f in services.SETTINGS_FIELDS}, "version": conf.version}

    @extend_schema(responses=CoachingSettingsSerializer)
    def get(self, request):
        return Response(self._out(CoachingSettings.current()))

    @extend_schema(request=CoachingSettingsSerializer, responses=CoachingSettingsSerializer)
    def patch(self, request):
        ser = self.CoachingSettingsSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        return Response(self._out(services.settings_update(actor=request.user, expected_version=version, **data)))

    put = patch
