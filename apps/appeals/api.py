"""The appeals API: thin views over the same services and selectors as the pages, with the same access
rules (404 for anyone who may not see an appeal; the manager of record sees only what HR shares; concerns
are HR's alone and never name their author to anyone else). Every write two people can make requires
the ``version`` the client edited; a stale one answers 409."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.appraisals.models import Appraisal, Cycle
from apps.core.drf import VersionField
from apps.core.exceptions import NotFound

from . import access, selectors, services
from .models import Addressee, ConcernStatus, InfoRequest, Kind, Outcome, Status, WindowRule


def RequiredVersion():  # noqa: N802 - a field factory
    return VersionField(required=True, help_text="The version you edited; a stale one answers 409.")


def _appeal(request, pk):
    return selectors.appeal_get(user=request.user, pk=pk)


# --- output ---------------------------------------------------------------------------------------------

class AppealPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    employee_no = serializers.CharField()


class AppealLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField(source="display_title")
    actual = serializers.CharField(source="display_actual")
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    explanation = serializers.CharField()
    version = serializers.IntegerField()


class AppealAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("appeals:attachment", args=[obj.appeal_id, obj.pk])


class AppealInfoRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    addressee = serializers.ChoiceField(choices=Addressee.choices)
    question = serializers.CharField()
    due_date = serializers.DateField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class AppealSerializer(serializers.Serializer):
    """An appeal as lists show it (no content)."""

    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=Kind.choices)
    appraisal = serializers.IntegerField(source="appraisal_id")
    cycle = serializers.IntegerField(source="cycle_id")
    employee = AppealPersonSerializer()
    department = serializers.IntegerField(source="department_id")
    status = serializers.ChoiceField(choices=Status.choices)
    outcome = serializers.CharField()
    filed_at = serializers.DateTimeField()
    triage_due = serializers.DateField()
    decision_due = serializers.DateField()
    overdue_since = serializers.DateField()
    decided_at = serializers.DateTimeField()
    version = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("appeals:detail", args=[obj.pk])


class AppealDetailSerializer(AppealSerializer):
    """One appeal, as much as the reader may see: the manager of record gets what HR shares, the contested
    lines and the requests addressed to them."""

    roles = serializers.SerializerMethodField()
    contested_lines = serializers.SerializerMethodField()
    contests_grade = serializers.BooleanField()
    reasons = serializers.SerializerMethodField()
    outcome_asked = serializers.SerializerMethodField()
    shared_with_manager = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    requests = serializers.SerializerMethodField()
    triage_reason = serializers.SerializerMethodField()
    hearing_at = serializers.SerializerMethodField()
    hearing_notes = serializers.SerializerMethodField()
    decision_reasons = serializers.SerializerMethodField()
    correction = serializers.SerializerMethodField()
    letter_url = serializers.SerializerMethodField()

    def _roles(self, obj):
        return self.context["roles"]

    def _full(self, obj) -> bool:
        return bool(self._roles(obj) & {access.EMPLOYEE, access.HR})

    def get_roles(self, obj) -> list[str]:
        return sorted(self._roles(obj))

    @extend_schema_field(AppealLineSerializer(many=True))
    def get_contested_lines(self, obj):
        return AppealLineSerializer(selectors.contested_lines(obj), many=True).data

    def get_reasons(self, obj) -> str:
        return obj.reasons if self._full(obj) else ""

    def get_outcome_asked(self, obj) -> str:
        return obj.outcome_asked if self._full(obj) else ""

    def get_shared_with_manager(self, obj) -> str:
        return obj.shared_with_manager if self._roles(obj) & {access.MANAGER, access.HR} else ""

    @extend_schema_field(AppealAttachmentSerializer(many=True))
    def get_attachments(self, obj):
        return AppealAttachmentSerializer(obj.attachments.all(), many=True).data if self._full(obj) else []

    @extend_schema_field(AppealInfoRequestSerializer(many=True))
    def get_requests(self, obj):
        reqs = selectors.visible_requests(obj, self.context["request"].user, self._roles(obj))
        return AppealInfoRequestSerializer(reqs, many=True).data

    def get_triage_reason(self, obj) -> str:
        return obj.triage_reason if self._full(obj) else ""

    def get_hearing_at(self, obj) -> str | None:
        return obj.hearing_at.isoformat() if access.HR in self._roles(obj) and obj.hearing_at else None

    def get_hearing_notes(self, obj) -> str:
        return obj.hearing_notes if access.HR in self._roles(obj) else ""

    def get_decision_reasons(self, obj) -> str:
        return obj.decision_reasons if self._full(obj) else ""

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_correction(self, obj):
        c = obj.correction
        if c is None:
            return None
        return {"total_before": c.before.get("total_score"), "grade_before": c.before.get("final_grade"),
                "total_after": c.after.get("total_score"), "grade_after": c.after.get("final_grade"),
                "quota_breaches": c.quota_breaches if access.HR in self._roles(obj) else []}

    def get_letter_url(self, obj) -> str:
        return reverse("appeals:letter", args=[obj.pk]) if obj.status == Status.DECIDED and self._full(obj) else ""


def _detail(request, appeal, roles=None):
    if roles is None:
        appeal, roles = _appeal(request, appeal.pk)
    return AppealDetailSerializer(appeal, context={"request": request, "roles": roles}).data


# --- appeals --------------------------------------------------------------------------------------------

class AppealListCreateApi(generics.ListAPIView):
    """Appeals the user may see (their own; the manager's once asked; HR all), overdue first. POST (the
    employee, multipart for evidence) files an appeal of their published appraisal within the window."""

    serializer_class = AppealSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class AppealFileInputSerializer(serializers.Serializer):
        appraisal = serializers.IntegerField()
        lines = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
        contests_grade = serializers.BooleanField(required=False, default=False)
        reasons = serializers.CharField(allow_blank=True)
        outcome_asked = serializers.CharField(required=False, allow_blank=True, default="")
        files = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    def get_queryset(self):
        p = self.request.query_params
        f = {k: p.get(k) for k in ("status", "kind", "cycle", "q", "overdue") if p.get(k)}
        return selectors.appeal_list(user=self.request.user, filters=f)

    @extend_schema(parameters=[
        OpenApiParameter("status", str, description="open, filed, in_review, decided, out_of_scope, withdrawn"),
        OpenApiParameter("kind", str, description="appeal or review"), OpenApiParameter("cycle", int),
        OpenApiParameter("q", str, description="employee name or number"),
        OpenApiParameter("overdue", bool)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": AppealFileInputSerializer, "application/json": AppealFileInputSerializer},
                   responses={201: AppealDetailSerializer})
    def post(self, request):
        ser = self.AppealFileInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        a = Appraisal.objects.filter(pk=d["appraisal"]).first()
        if a is None:
            raise NotFound(_("Not found."))
        appeal = services.appeal_file(actor=request.user, appraisal=a, reasons=d["reasons"],
                                      outcome_asked=d["outcome_asked"], lines=d["lines"],
                                      contests_grade=d["contests_grade"], files=request.FILES.getlist("files"))
        return Response(_detail(request, appeal), status=status.HTTP_201_CREATED)


class AppealDetailApi(APIView):
    @extend_schema(responses=AppealDetailSerializer)
    def get(self, request, pk):
        appeal, roles = _appeal(request, pk)
        return Response(_detail(request, appeal, roles))


class AppealWithdrawApi(APIView):
    class AppealWithdrawInputSerializer(serializers.Serializer):
        version = RequiredVersion()

    @extend_schema(request=AppealWithdrawInputSerializer, responses=AppealDetailSerializer)
    def post(self, request, pk):
        appeal, _roles = _appeal(request, pk)
        ser = self.AppealWithdrawInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        appeal = services.appeal_withdraw(actor=request.user, appeal=appeal, expected_version=ser.validated_data["version"])
        return Response(_detail(request, appeal))


class AppealEvidenceApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    class AppealEvidenceInputSerializer(serializers.Serializer):
        files = serializers.ListField(child=serializers.FileField())

    @extend_schema(request={"multipart/form-data": AppealEvidenceInputSerializer},
                   responses={201: AppealAttachmentSerializer(many=True)})
    def post(self, request, pk):
        appeal, _roles = _appeal(request, pk)
        out = services.appeal_add_evidence(actor=request.user, appeal=appeal, files=request.FILES.getlist("files"))
        return Response(AppealAttachmentSerializer(out, many=True).data, status=status.HTTP_201_CREATED)


class AppealTriageApi(APIView):
    class AppealTriageInputSerializer(serializers.Serializer):
        accept = serializers.BooleanField()
        reason = serializers.CharField(required=False, allow_blank=True, default="")
        version = RequiredVersion()

    @extend_schema(request=AppealTriageInputSerializer, responses=AppealDetailSerializer)
    def post(self, request, pk):
        appeal, _roles = _appeal(request, pk)
        ser = self.AppealTriageInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        appeal = services.appeal_triage(actor=request.user, appeal=appeal, accept=d["accept"], reason=d["reason"],
                                        expected_version=d["version"])
        return Response(_detail(request, appeal))


class AppealRequestApi(APIView):
    class AppealRequestInputSerializer(serializers.Serializer):
        addressee = serializers.ChoiceField(choices=Addressee.choices)
        question = serializers.CharField(allow_blank=True)
        due_date = serializers.DateField(required=False, allow_null=True, default=None)
        shared_with_manager = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
        version = RequiredVersion()

    @extend_schema(request=AppealRequestInputSerializer, responses={201: AppealInfoRequestSerializer})
    def post(self, request, pk):
        appeal, _roles = _appeal(request, pk)
        ser = self.AppealRequestInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        req = services.info_request(actor=request.user, appeal=appeal, addressee=d["addressee"], question=d["question"],
                                    due_date=d["due_date"], shared_with_manager=d["shared_with_manager"],
                                    expected_version=d["version"])
        return Response(AppealInfoRequestSerializer(req).data, status=status.HTTP_201_CREATED)


class AppealAnswerApi(APIView):
    class AppealAnswerInputSerializer(serializers.Serializer):
        answer = serializers.CharField(allow_blank=True)
        version = RequiredVersion()

    @extend_schema(request=AppealAnswerInputSerializer, responses=AppealInfoRequestSerializer)
    def post(self, request, pk):
        req = InfoRequest.objects.select_related("appeal").filter(pk=pk).first()
        if req is None:
            raise NotFound(_("Not found."))
        access.require_read(request.user, req.appeal)
        ser = self.AppealAnswerInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        req = services.info_answer(actor=request.user, request=req, answer=ser.validated_data["answer"],
                                   expected_version=ser.validated_data["version"])
        return Response(AppealInfoRequestSerializer(req).data)


class AppealHearingApi(APIView):
    class AppealHearingInputSerializer(serializers.Serializer):
        held_at = serializers.DateTimeField()
        notes = serializers.CharField(allow_blank=True)
        version = RequiredVersion()

    @extend_schema(request=AppealHearingInputSerializer, responses=AppealDetailSerializer)
    def post(self, request, pk):
        appeal, _roles = _appeal(request, pk)
        ser = self.AppealHearingInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        appeal = services.hearing_record(actor=request.user, appeal=appeal, held_at=d["held_at"], notes=d["notes"],
                                         expected_version=d["version"])
        return Response(_detail(request, appeal))


class AppealCorrectionLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    actual = serializers.CharField(required=False, allow_blank=True, help_text="A data line's corrected actual.")
    score = serializers.CharField(required=False, allow_blank=True, help_text="A direct line's corrected score.")


class AppealDecideApi(APIView):
    class AppealDecideInputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=Outcome.choices)
        reasons = serializers.CharField(allow_blank=True)
        lines = AppealCorrectionLineSerializer(many=True, required=False, default=list)
        grade = serializers.CharField(required=False, allow_blank=True, default="")
        accept_quota_breach = serializers.BooleanField(required=False, default=False)
        version = RequiredVersion()

    @extend_schema(request=AppealDecideInputSerializer, responses=AppealDetailSerializer)
    def post(self, request, pk):
        appeal, _roles = _appeal(request, pk)
        ser = self.AppealDecideInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        appeal = services.appeal_decide(actor=request.user, appeal=appeal, outcome=d["outcome"], reasons=d["reasons"],
                                        lines=[dict(x) for x in d["lines"]], grade=d["grade"] or None,
                                        accept_quota_breach=d["accept_quota_breach"], expected_version=d["version"])
        return Response(_detail(request, appeal))


# --- concerns -------------------------------------------------------------------------------------------

class ConcernSerializer(serializers.Serializer):
    """A concern as HR sees it (only HR reads concerns)."""

    id = serializers.IntegerField(source="pk")
    appraisal = serializers.IntegerField(source="appraisal_id")
    subject = AppealPersonSerializer()
    raised_by = serializers.IntegerField(source="raised_by_id")
    reasons = serializers.CharField()
    status = serializers.ChoiceField(choices=ConcernStatus.choices)
    note = serializers.CharField()
    review = serializers.IntegerField(source="review_id", allow_null=True)
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class ConcernReceiptSerializer(serializers.Serializer):
    """What the author gets back: a receipt, nothing of HR's handling."""

    id = serializers.IntegerField(source="pk")
    created_at = serializers.DateTimeField()


class ConcernListCreateApi(generics.ListAPIView):
    """GET: HR's list of concerns. POST: any employee raises a concern about a colleague's published result
    (same department); it goes to HR only."""

    serializer_class = ConcernSerializer

    class ConcernRaiseInputSerializer(serializers.Serializer):
        appraisal = serializers.IntegerField()
        reasons = serializers.CharField(allow_blank=True)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            from .models import Concern

            return Concern.objects.none()
        return selectors.concern_list(user=self.request.user,
                                      filters={"status": self.request.query_params.get("status", "")})

    @extend_schema(parameters=[OpenApiParameter("status", str, description="received, dismissed, review")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ConcernRaiseInputSerializer, responses={201: ConcernReceiptSerializer})
    def post(self, request):
        ser = self.ConcernRaiseInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = Appraisal.objects.filter(pk=ser.validated_data["appraisal"]).first()
        if a is None:
            raise NotFound(_("Not found."))
        c = services.concern_raise(actor=request.user, appraisal=a, reasons=ser.validated_data["reasons"])
        return Response(ConcernReceiptSerializer(c).data, status=status.HTTP_201_CREATED)


class ConcernDetailApi(APIView):
    @extend_schema(responses=ConcernSerializer)
    def get(self, request, pk):
        return Response(ConcernSerializer(selectors.concern_get(user=request.user, pk=pk)).data)


class ConcernDismissApi(APIView):
    class ConcernDismissInputSerializer(serializers.Serializer):
        note = serializers.CharField(allow_blank=True)
        version = RequiredVersion()

    @extend_schema(request=ConcernDismissInputSerializer, responses=ConcernSerializer)
    def post(self, request, pk):
        c = selectors.concern_get(user=request.user, pk=pk)
        ser = self.ConcernDismissInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        c = services.concern_dismiss(actor=request.user, concern=c, note=ser.validated_data["note"],
                                     expected_version=ser.validated_data["version"])
        return Response(ConcernSerializer(c).data)


class ConcernReviewApi(APIView):
    class ConcernReviewInputSerializer(serializers.Serializer):
        note = serializers.CharField(allow_blank=True)
        lines = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
        contests_grade = serializers.BooleanField(required=False, default=False)
        version = RequiredVersion()

    @extend_schema(request=ConcernReviewInputSerializer, responses={201: AppealDetailSerializer})
    def post(self, request, pk):
        c = selectors.concern_get(user=request.user, pk=pk)
        ser = self.ConcernReviewInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        review = services.concern_open_review(actor=request.user, concern=c, note=d["note"], lines=d["lines"],
                                              contests_grade=d["contests_grade"], expected_version=d["version"])
        return Response(_detail(request, review), status=status.HTTP_201_CREATED)


# --- HR: the window of a cycle ----------------------------------------------------------------------------

class AppealPolicySerializer(serializers.Serializer):
    cycle = serializers.IntegerField(source="cycle_id")
    window_days = serializers.IntegerField()
    window_rule = serializers.ChoiceField(choices=WindowRule.choices)
    triage_days = serializers.IntegerField()
    decision_days = serializers.IntegerField()
    version = serializers.IntegerField()


class CyclePolicyApi(APIView):
    class AppealPolicyInputSerializer(serializers.Serializer):
        window_days = serializers.IntegerField()
        window_rule = serializers.ChoiceField(choices=WindowRule.choices, required=False, default=WindowRule.LATER_OF)
        triage_days = serializers.IntegerField(required=False, allow_null=True, default=None)
        decision_days = serializers.IntegerField(required=False, allow_null=True, default=None)
        version = VersionField(required=False, help_text="The version you edited (omit the first time).")

    def _cycle(self, request, pk):
        access.require_hr_or_404(request.user)
        cycle = Cycle.objects.filter(pk=pk).first()
        if cycle is None:
            raise NotFound(_("Not found."))
        return cycle

    @extend_schema(responses=AppealPolicySerializer)
    def get(self, request, pk):
        cycle = self._cycle(request, pk)
        return Response(AppealPolicySerializer(services.policy_for(cycle.pk)).data)

    @extend_schema(request=AppealPolicyInputSerializer, responses=AppealPolicySerializer)
    def put(self, request, pk):
        cycle = self._cycle(request, pk)
        ser = self.AppealPolicyInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        p = services.policy_set(actor=request.user, cycle=cycle, window_days=d["window_days"],
                                window_rule=d["window_rule"], triage_days=d["triage_days"],
                                decision_days=d["decision_days"], expected_version=d.get("version"))
        return Response(AppealPolicySerializer(p).data)


# --- HR: statistics ---------------------------------------------------------------------------------------

class AppealStatsRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    appeals = serializers.IntegerField()
    published = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="Appeals per 100 published appraisals.")
    decided = serializers.IntegerField()
    upheld = serializers.IntegerField(help_text="Upheld or partly upheld.")
    upheld_share = serializers.FloatField(allow_null=True, help_text="Percent of decided appeals upheld.")


class AppealOutcomeCountSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    label = serializers.CharField()
    n = serializers.IntegerField()
    percent = serializers.IntegerField()


class AppealStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    published = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    outcomes = AppealOutcomeCountSerializer(many=True)
    avg_days_to_decision = serializers.FloatField(allow_null=True)
    by_department = AppealStatsRowSerializer(many=True)
    by_manager = AppealStatsRowSerializer(many=True)


class AppealStatsApi(APIView):
    """HR only: appeal rate by department and manager, outcomes, time to decision (counts, no content)."""

    @extend_schema(parameters=[OpenApiParameter("cycle", int)], responses=AppealStatsSerializer)
    def get(self, request):
        cycle = request.query_params.get("cycle", "")
        data = selectors.appeal_stats(user=request.user, cycle_id=int(cycle) if cycle.isdigit() else None)
        return Response(AppealStatsSerializer(data).data)
