"""The appraisals API: thin views over the same services and selectors as the pages."""
from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exceptions import NotFound
from apps.core.filters import IdFilter, PieceFilterSet
from apps.core.roles import is_hr
from apps.org.models import JobLevel, ReviewFrequency

from . import permissions, selectors, serializers, services
from .models import ActualsUpload, Appraisal, CycleBlocker, CycleSchedule, CycleStage, CycleStatus, Status


def _cycle(request, pk):
    return selectors.cycle_get(user=request.user, pk=pk)


# --- cycles ------------------------------------------------------------------------------------------

class CycleFilter(PieceFilterSet):
    """The cycle list's filters, applied by the selector's pieces (``selectors.CYCLE_FILTERS``)."""

    pieces = selectors.CYCLE_FILTERS
    q = filters.CharFilter(method="apply", label="search (title or period)")
    status = filters.ChoiceFilter(choices=CycleStatus.choices, method="apply")
    frequency = filters.ChoiceFilter(choices=ReviewFrequency.choices, method="apply")


class CycleListCreateApi(generics.ListAPIView):
    """Cycles (HR: all; others: those not in draft). POST (HR) creates one, and opens it with ``open``."""

    serializer_class = serializers.CycleSerializer
    filterset_class = CycleFilter

    def get_queryset(self):
        return (selectors.cycle_list(user=self.request.user)
                .prefetch_related(Prefetch("stages", queryset=CycleStage.objects.order_by("due_date"))))

    @extend_schema(request=serializers.CycleCreateSerializer, responses=serializers.CycleSerializer)
    def post(self, request):
        ser = serializers.CycleCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        levels = list(JobLevel.objects.filter(pk__in=d["job_levels"])) if d.get("job_levels") else None
        cycle = services.cycle_create(
            actor=request.user, title=d.get("title", ""), period=d["period"], frequency=d["frequency"],
            job_levels=levels, departments=d.get("departments") or [],
            deadlines={s["stage"]: s["due_date"] for s in d["stages"]},
            policies={s["stage"]: s["policy"] for s in d["stages"] if s.get("policy")},
            grade_bands=[dict(b) for b in d["grade_bands"]] if d.get("grade_bands") else None,
            requires_calibration=d.get("requires_calibration", False))
        if d.get("open"):
            services.cycle_open_and_populate(actor=request.user, cycle=cycle)
        cycle = selectors.cycle_get(user=request.user, pk=cycle.pk)
        return Response(serializers.CycleSerializer(cycle).data, status=status.HTTP_201_CREATED)


class CycleDetailApi(APIView):
    @extend_schema(responses=serializers.CycleSerializer)
    def get(self, request, pk):
        cycle = _cycle(request, pk)
        data = serializers.CycleSerializer(cycle).data
        if not permissions.sees_company_aggregates(request.user):
            # the aggregate policy: company-wide and per-department counts are for HR and executives
            data["progress"], data["departments"] = None, []
            return Response(data)
        progress = selectors.cycle_progress(cycle)
        data["progress"] = {"counts": progress["counts"],
                            "stages": [{"stage": b.stage, "due_date": b.due_date, "done": b.done, "total": b.total,
                                        "percent": b.percent, "overdue": b.overdue} for b in progress["bars"]]}
        data["departments"] = [
            {"department": r["department_id"], "name": r["department"].name, "path": r["department__path"],
             **{k: r[k] for k in ("total", "complete", "verified", "returned", "overdue")},
             "stages": {k: r[k] for k in r if k.startswith("done_")}}
            for r in selectors.cycle_department_progress(cycle)]
        return Response(data)

    @extend_schema(request=serializers.CycleUpdateSerializer, responses=serializers.CycleSerializer)
    def patch(self, request, pk):
        permissions.require_hr_or_404(request.user)
        cycle = _cycle(request, pk)
        ser = serializers.CycleUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        stages = d.get("stages")
        services.cycle_update(
            actor=request.user, cycle=cycle, expected_version=d.get("version"), title=d.get("title"),
            deadlines={s["stage"]: s["due_date"] for s in stages} if stages else None,
            policies={s["stage"]: s["policy"] for s in stages if s.get("policy")} if stages else None,
            grade_bands=[dict(b) for b in d["grade_bands"]] if d.get("grade_bands") else None,
            requires_calibration=d.get("requires_calibration"))
        return Response(serializers.CycleSerializer(_cycle(request, pk)).data)


class CycleOpenApi(APIView):
    @extend_schema(request=None, responses=serializers.CycleSerializer)
    def post(self, request, pk):
        permissions.require_hr_or_404(request.user)
        result = services.cycle_open_start(actor=request.user, cycle=_cycle(request, pk))
        data = serializers.CycleSerializer(_cycle(request, pk)).data
        data["opening"] = result
        return Response(data)


class CycleBlockersApi(generics.ListAPIView):
    serializer_class = serializers.BlockerSerializer
    filter_backends = []

    def get_queryset(self):
        permissions.require_hr_or_404(self.request.user)
        return selectors.cycle_blockers(cycle=_cycle(self.request, self.kwargs["pk"]))


class CycleBlockersRecheckApi(APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request, pk):
        permissions.require_hr_or_404(request.user)
        return Response(services.cycle_recheck_blockers(actor=request.user, cycle=_cycle(request, pk)))


class BlockerRemindApi(APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request, pk):
        permissions.require_hr_or_404(request.user)
        blocker = CycleBlocker.objects.filter(pk=pk).first()
        if blocker is None:
            raise NotFound("Not found.")
        return Response({"sent": services.blocker_remind(actor=request.user, blocker=blocker)})


class CycleVerifyApi(APIView):
    """HR verifies every complete appraisal of the cycle (or of a department and below)."""

    @extend_schema(request=serializers.ScopeSerializer, responses={200: dict})
    def post(self, request, pk):
        permissions.require_hr_or_404(request.user)
        ser = serializers.ScopeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(services.cycle_verify_complete(actor=request.user, cycle=_cycle(request, pk),
                                                       department=ser.validated_data.get("department")))


class CyclePublishApi(APIView):
    @extend_schema(request=serializers.ScopeSerializer, responses={200: dict})
    def post(self, request, pk):
        permissions.require_hr_or_404(request.user)
        ser = serializers.ScopeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        n = services.cycle_publish(actor=request.user, cycle=_cycle(request, pk),
                                   department=ser.validated_data.get("department"),
                                   ready_only=ser.validated_data.get("ready_only", False))
        return Response({"published": n})


class ActualsUploadApi(APIView):
    """Upload an xlsx/CSV of actuals: the answer is the preview (row errors); nothing is written. Apply a
    valid preview with POST .../actuals/uploads/<id>/apply/."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": serializers.UploadInputSerializer}, responses={200: dict})
    def post(self, request, pk):
        cycle = _cycle(request, pk)
        ser = serializers.UploadInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        f = ser.validated_data["file"]
        upload, preview = services.actuals_upload_preview(actor=request.user, cycle=cycle, data=f.read(),
                                                         file_name=f.name)
        return Response({"upload": upload.pk, "status": upload.status, **preview.as_dict()})


class ActualsUploadApplyApi(APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request, pk):
        upload = ActualsUpload.objects.filter(pk=pk).first()
        if upload is None or (upload.uploaded_by_id != request.user.pk and not is_hr(request.user)):
            raise NotFound("Not found.")
        return Response(services.actuals_upload_apply(actor=request.user, upload=upload))


class ScheduleListApi(APIView):
    """HR's schedule of routine cycles (one row per review frequency)."""

    @extend_schema(responses=serializers.ScheduleSerializer(many=True))
    def get(self, request):
        permissions.require_hr_or_404(request.user)
        rows = CycleSchedule.objects.all()
        return Response([{"frequency": s.frequency, "is_active": s.is_active, "stage_days": s.stage_days,
                          "stage_policies": s.stage_policies, "grade_bands": s.grade_bands,
                          "last_opened_period": s.last_opened_period, "version": s.version} for s in rows])

    @extend_schema(request=serializers.ScheduleSerializer, responses=serializers.ScheduleSerializer)
    def put(self, request):
        permissions.require_hr_or_404(request.user)
        ser = serializers.ScheduleSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        s = services.schedule_update(actor=request.user, frequency=d["frequency"], is_active=d["is_active"],
                                     stage_days=d.get("stage_days"), stage_policies=d.get("stage_policies"),
                                     grade_bands=[dict(b) for b in d["grade_bands"]] if d.get("grade_bands") else None,
                                     expected_version=d.get("version"))
        return Response({"frequency": s.frequency, "is_active": s.is_active, "stage_days": s.stage_days,
                         "stage_policies": s.stage_policies, "grade_bands": s.grade_bands,
                         "last_opened_period": s.last_opened_period, "version": s.version})


# --- appraisals --------------------------------------------------------------------------------------

class AppraisalFilter(PieceFilterSet):
    """The appraisal list's filters, applied by the selector's pieces (``selectors.APPRAISAL_FILTERS``)."""

    pieces = selectors.APPRAISAL_FILTERS
    cycle = IdFilter(method="apply", label="cycle id")
    status = filters.ChoiceFilter(choices=Status.choices, method="apply", label="stage")
    department = IdFilter(method="apply", label="department id (its subtree included)")
    q = filters.CharFilter(method="apply", label="search (name or employee number)")
    overdue = filters.BooleanFilter(method="apply")
    returned = filters.BooleanFilter(method="apply")
    grade = filters.CharFilter(method="apply")
    mine = filters.BooleanFilter(method="apply", label="only those I score")


class AppraisalListApi(generics.ListAPIView):
    serializer_class = serializers.AppraisalListSerializer
    filterset_class = AppraisalFilter

    def get_queryset(self):
        return selectors.appraisal_scope(user=self.request.user)


def _detail(request, pk):
    appraisal, relations = selectors.appraisal_get(user=request.user, pk=pk)
    lines = selectors.appraisal_lines(appraisal)
    vis = selectors.visibility(relations, appraisal)
    actions = {"verify": appraisal.status == Status.COLLECTING and not appraisal.lines_pending
               and services.can_verify(request.user, appraisal, lines),
               "publish": services.can_publish(request.user, appraisal)}
    return serializers.AppraisalDetailSerializer(appraisal, context={"request": request, "lines": lines,
                                                                     "visibility": vis, "actions": actions}).data


class AppraisalDetailApi(APIView):
    @extend_schema(responses=serializers.AppraisalDetailSerializer)
    def get(self, request, pk):
        return Response(_detail(request, pk))


class AppraisalFormPdfApi(APIView):
    """The appraisal form (考核表) as a PDF in the user's language (Accept-Language or their preference)."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        from .pdf import form_filename, form_pdf

        appraisal, relations = selectors.appraisal_get(user=request.user, pk=pk)
        response = HttpResponse(form_pdf(appraisal, relations), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{form_filename(appraisal)}"'
        return response


class AppraisalVerifyApi(APIView):
    @extend_schema(request=serializers.VersionInputSerializer, responses=serializers.AppraisalDetailSerializer)
    def post(self, request, pk):
        appraisal = Appraisal.objects.filter(pk=pk).first()
        if appraisal is None:
            raise NotFound("Not found.")
        ser = serializers.VersionInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.appraisal_verify(actor=request.user, appraisal=appraisal,
                                  expected_version=ser.validated_data.get("version"))
        if permissions.can_read(request.user, appraisal):
            return Response(_detail(request, pk))
        return Response({"id": appraisal.pk, "status": Status.VERIFIED})


class _ScoringApi(APIView):
    role = "manager"

    @extend_schema(request=serializers.ScoringInputSerializer, responses=serializers.AppraisalDetailSerializer)
    def post(self, request, pk):
        appraisal, _rel = selectors.appraisal_get(user=request.user, pk=pk)
        ser = serializers.ScoringInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        fn = services.appraisal_self_assess if self.role == "self" else services.appraisal_manager_score
        fn(actor=request.user, appraisal=appraisal, comment=d.get("comment"),
           lines=[dict(x) for x in d.get("lines", [])], submit=d.get("submit", False),
           expected_version=d.get("version"))
        return Response(_detail(request, pk))


class SelfAssessmentApi(_ScoringApi):
    role = "self"


class ManagerScoringApi(_ScoringApi):
    role = "manager"


class AppraisalPublishApi(APIView):
    @extend_schema(request=serializers.VersionInputSerializer, responses=serializers.AppraisalDetailSerializer)
    def post(self, request, pk):
        appraisal, _rel = selectors.appraisal_get(user=request.user, pk=pk)
        ser = serializers.VersionInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.appraisal_publish(actor=request.user, appraisal=appraisal,
                                   expected_version=ser.validated_data.get("version"))
        return Response(_detail(request, pk))


# --- lines -------------------------------------------------------------------------------------------

class ActualLineFilter(PieceFilterSet):
    """The actuals list's filters, applied by the selector's pieces (``selectors.ACTUAL_LINE_FILTERS``)."""

    pieces = selectors.ACTUAL_LINE_FILTERS
    cycle = IdFilter(method="apply", label="cycle id")
    status = filters.ChoiceFilter(choices=[(s, s) for s in selectors.ACTUAL_STATUSES], method="apply",
                                  label="actual status")
    data_source = IdFilter(method="apply", label="data-source department id")
    q = filters.CharFilter(method="apply", label="search (name, employee number, indicator code or title)")


class ActualLineListApi(generics.ListAPIView):
    """The lines whose actuals the user provides (data owners: their data source; HR: all)."""

    serializer_class = serializers.ActualLineSerializer
    filterset_class = ActualLineFilter

    def get_queryset(self):
        return selectors.actual_line_scope(user=self.request.user)


class ActualLineDetailApi(APIView):
    @extend_schema(responses=serializers.ActualLineSerializer)
    def get(self, request, pk):
        return Response(serializers.ActualLineSerializer(selectors.actual_line_get(user=request.user, pk=pk)).data)


class LineActualApi(APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(request=serializers.ActualInputSerializer, responses=serializers.ActualLineSerializer)
    def post(self, request, pk):
        line = selectors.actual_line_get(user=request.user, pk=pk)
        ser = serializers.ActualInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        services.line_actual_set(actor=request.user, line=line, value=d["actual"], evidence=d.get("evidence"),
                                 expected_version=d.get("version"))
        return Response(serializers.ActualLineSerializer(selectors.actual_line_get(user=request.user, pk=pk)).data)


class LineReturnApi(APIView):
    @extend_schema(request=serializers.ReturnInputSerializer, responses=serializers.ActualLineSerializer)
    def post(self, request, pk):
        line = selectors.actual_line_get(user=request.user, pk=pk)
        ser = serializers.ReturnInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.line_return(actor=request.user, line=line, reason=ser.validated_data["reason"],
                             expected_version=ser.validated_data.get("version"))
        return Response(serializers.ActualLineSerializer(selectors.actual_line_get(user=request.user, pk=pk)).data)


class LineScoreApi(APIView):
    """One line's manager (or self) score; a stale ``version`` answers 409."""

    @extend_schema(request=serializers.LineScoreSerializer, responses=serializers.LineSerializer)
    def post(self, request, pk):
        line = selectors.line_for_scoring(user=request.user, pk=pk)
        ser = serializers.LineScoreSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        line = services.line_score_set(actor=request.user, line=line, score=d["score"], comment=d.get("comment"),
                                       role=d["role"], expected_version=d.get("version"))
        appraisal, relations = selectors.appraisal_get(user=request.user, pk=line.appraisal_id)
        vis = selectors.visibility(relations, appraisal)
        return Response(serializers.LineSerializer(line, context={"visibility": vis}).data)


# --- calibration -------------------------------------------------------------------------------------

def _quota_rows(cycle) -> list[dict]:
    return [{"id": q.pk, "grades": q.grades, "limit": q.limit, "percent": str(q.percent), "is_hard": q.is_hard,
             "label": q.label} for q in cycle.quotas.all()]


class CycleQuotasApi(APIView):
    """The cycle's grade quotas: read by HR and department heads; PUT (HR) replaces the set. An
    impossible set is refused (400) with the reason."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk):
        cycle, _scope = selectors.calibration_cycle_get(user=request.user, pk=pk)
        return Response({"quotas": _quota_rows(cycle), "version": cycle.version,
                         "override_reason": cycle.quota_override_reason})

    @extend_schema(request=serializers.QuotaSetSerializer, responses={200: dict})
    def put(self, request, pk):
        permissions.require_hr_or_404(request.user)
        cycle = _cycle(request, pk)
        ser = serializers.QuotaSetSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        cycle = services.cycle_quotas_set(actor=request.user, cycle=cycle,
                                          quotas=[dict(q) for q in ser.validated_data["quotas"]],
                                          expected_version=ser.validated_data.get("version"))
        return Response({"quotas": _quota_rows(cycle), "version": cycle.version})


class CyclePrintApi(APIView):
    """Batch printing: POST queues the appraisal forms of the cycle (or a department and below) that the
    user may read, as one PDF or a zip; answers 202 with the job (poll ``/api/v1/documents/<id>/``)."""

    @extend_schema(request=serializers.PrintBatchSerializer, responses={202: dict})
    def post(self, request, pk):
        from apps.core.api import DocumentJobSerializer

        cycle = _cycle(request, pk)
        ser = serializers.PrintBatchSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        job = services.appraisal_forms_batch(actor=request.user, cycle=cycle, **ser.validated_data)
        job.refresh_from_db()
        return Response(DocumentJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class CycleResultsExportApi(APIView):
    """The cycle's published results: ``?file=xlsx`` (results and lines sheets) or ``csv`` (``lines=1``: the
    lines); filters ``department``, ``grade``, ``q``. HR: all; a department head: their subtree; else 404.
    400 with a message when nothing is published."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        from apps.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
        from apps.org.models import Department

        from . import exports

        cycle, scope = selectors.calibration_cycle_get(user=request.user, pk=pk)
        fmt = request.query_params.get("file", "xlsx")
        if fmt not in ("xlsx", "csv"):
            raise ValidationError({"file": _("Choose xlsx or csv.")})
        f = {k: request.query_params.get(k, "").strip() for k in ("grade", "q")}
        dept = request.query_params.get("department")
        if dept:
            f["department"] = Department.objects.filter(pk=int(dept) if dept.isdigit() else 0).first()
            if f["department"] is None:
                raise ValidationError({"department": _("No such department.")})
        lines = request.query_params.get("lines") == "1"
        if fmt == "xlsx":
            data, ctype = exports.results_xlsx(cycle=cycle, scope=scope, filters=f), XLSX_CONTENT_TYPE
        else:
            data, ctype = exports.results_csv(cycle=cycle, scope=scope, filters=f, lines=lines), CSV_CONTENT_TYPE
        response = HttpResponse(data, content_type=ctype)
        response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(cycle, fmt, lines=lines)}"'
        return response


class CycleQuotaOverrideApi(APIView):
    """HR allows publication despite a hard quota, with a reason (recorded on the cycle, audited)."""

    @extend_schema(request=serializers.ReasonSerializer, responses={200: dict})
    def post(self, request, pk):
        permissions.require_hr_or_404(request.user)
        ser = serializers.ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        cycle = services.cycle_quota_override(actor=request.user, cycle=_cycle(request, pk),
                                              reason=ser.validated_data["reason"],
                                              expected_version=ser.validated_data.get("version"))
        return Response({"override_reason": cycle.quota_override_reason, "version": cycle.version})


CALIBRATION_PAGE_SIZE = 100


class CalibrationApi(APIView):
    """Each department's grade distribution against the quotas and the people (page of 100; filters
    ``department``, ``grade``, ``q``, ``page``): HR all departments, a head their subtree; 404 otherwise."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk):
        from django.core.paginator import Paginator

        from apps.org.models import Department

        cycle, scope = selectors.calibration_cycle_get(user=request.user, pk=pk)
        f = {k: request.query_params.get(k) for k in ("grade", "q") if request.query_params.get(k)}
        dept_id = request.query_params.get("department")
        if dept_id:
            dept = Department.objects.filter(pk=dept_id).first() if str(dept_id).isdigit() else None
            if dept is None:
                raise NotFound(_("Not found."))
            f["department"] = dept
        dist = selectors.calibration_distribution(cycle=cycle, scope=scope, department=f.get("department"))
        page = Paginator(selectors.calibration_people(cycle=cycle, scope=scope, filters=f),
                         CALIBRATION_PAGE_SIZE).get_page(request.query_params.get("page"))

        def dept_row(d):
            return {"department": d.department.pk, "name": d.department.name, "path": d.department.path,
                    "total": d.total, "calibrated": d.calibrated,
                    "grades": [{"grade": g, "count": n, "percent": p} for g, n, p in d.cells],
                    "breaches": [{"quota": q.pk, "label": q.label, "is_hard": q.is_hard} for q in d.breaches]}

        return Response({
            "cycle": cycle.pk, "status": cycle.status, "grades": dist["grades"], "quotas": _quota_rows(cycle),
            "override_reason": cycle.quota_override_reason,
            "departments": [dept_row(d) for d in dist["departments"]],
            "total": {"total": dist["total"]["total"],
                      "grades": [{"grade": g, "count": n, "percent": p} for g, n, p in dist["total"]["cells"]]},
            "people_count": page.paginator.count, "page": page.number,
            "people": serializers.CalibratedAppraisalSerializer(page.object_list, many=True).data,
        })


class AppraisalCalibrateGradeApi(APIView):
    """HR or the department head moves the grade with a written reason (score unchanged; audited)."""

    @extend_schema(request=serializers.GradeCalibrateSerializer, responses=serializers.CalibratedAppraisalSerializer)
    def post(self, request, pk):
        appraisal = Appraisal.objects.select_related("department").filter(pk=pk).first()
        if appraisal is None:
            raise NotFound(_("Not found."))
        permissions.require_calibrate(request.user, appraisal)
        ser = serializers.GradeCalibrateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        a = services.appraisal_grade_calibrate(actor=request.user, appraisal=appraisal, grade=d["grade"],
                                               reason=d["reason"], expected_version=d.get("version"))
        a = Appraisal.objects.select_related("employee", "department").get(pk=a.pk)
        return Response(serializers.CalibratedAppraisalSerializer(a).data)
