"""The pay API: thin views over the same services and selectors as the pages, with the same access rules
(404 for whoever may not see pay). Writes two people can make require the ``version`` edited (409 when
stale)."""
from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.appraisals.models import Cycle
from apps.contracts.models import Indicator
from apps.core.drf import VersionField
from apps.core.exceptions import ApplicationError, NotFound
from apps.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from apps.org.models import Department, Employee

from . import access, exporting, importing, selectors, services
from .models import (
    BudgetKind,
    PayoutLine,
    PayoutRun,
    PoolKind,
    ProposalStatus,
    RunStatus,
    SplitKind,
    TeamRewardRule,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


def RequiredVersion():  # noqa: N802 - a field factory
    return VersionField(required=True, help_text="The version you edited; a stale one answers 409.")


def _get(model, pk):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("Not found."))
    return obj


FILTERS = [OpenApiParameter(n, str, required=False) for n in ("q", "department", "cycle", "status")]


def _filters(request, names=("q", "department", "cycle", "status")) -> dict:
    out = {k: request.query_params.get(k) for k in names if request.query_params.get(k)}
    for k in ("department", "cycle"):
        if k in out:
            try:
                out[k] = int(out[k])
            except ValueError:
                raise ApplicationError(_("%(field)s must be a number.") % {"field": k}, field=k)
    return out


# --- pay data -------------------------------------------------------------------------------------------------------

class PayProfileSerializer(serializers.Serializer):
    employee = serializers.IntegerField(source="pk")
    employee_no = serializers.CharField()
    name = serializers.CharField()
    department = serializers.IntegerField(source="department_id")
    base_pay = serializers.SerializerMethodField()
    salary = serializers.SerializerMethodField()
    band_min = serializers.SerializerMethodField()
    band_mid = serializers.SerializerMethodField()
    band_max = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()

    def _p(self, obj, field):
        p = selectors.profile_of(obj)
        value = getattr(p, field) if p else None
        return None if value is None else str(value)

    def get_base_pay(self, obj) -> str | None:
        return self._p(obj, "base_pay")

    def get_salary(self, obj) -> str | None:
        return self._p(obj, "salary")

    def get_band_min(self, obj) -> str | None:
        return self._p(obj, "band_min")

    def get_band_mid(self, obj) -> str | None:
        return self._p(obj, "band_mid")

    def get_band_max(self, obj) -> str | None:
        return self._p(obj, "band_max")

    def get_version(self, obj) -> int | None:
        p = selectors.profile_of(obj)
        return p.version if p else None


class PayProfileListApi(generics.ListAPIView):
    """Employees with their pay data (HR and finance)."""

    queryset = Employee.objects.none()  # for the schema; get_queryset applies the access rules
    serializer_class = PayProfileSerializer

    def get_queryset(self):
        return selectors.employees_with_pay(user=self.request.user, filters=_filters(self.request, ("q", "department")))

    @extend_schema(parameters=FILTERS[:2])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PayProfileApi(APIView):
    class PayProfileInputSerializer(serializers.Serializer):
        base_pay = serializers.CharField()
        salary = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        band_min = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        band_mid = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        band_max = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        version = VersionField(help_text="Required when the employee already has pay data (409 when stale).")

    @extend_schema(responses=PayProfileSerializer)
    def get(self, request, employee_id):
        return Response(PayProfileSerializer(selectors.employee_for_pay(user=request.user, pk=employee_id)).data)

    @extend_schema(request=PayProfileInputSerializer, responses=PayProfileSerializer)
    def put(self, request, employee_id):
        emp = selectors.employee_for_pay(user=request.user, pk=employee_id)
        ser = self.PayProfileInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        if selectors.profile_of(emp) is not None and d.get("version") is None:
            raise ApplicationError(_("Send the version you edited."), field="version")
        services.pay_profile_set(actor=request.user, employee=emp, expected_version=d.get("version"),
                                 **{f: d.get(f) for f in services.PROFILE_FIELDS})
        return Response(PayProfileSerializer(selectors.employee_for_pay(user=request.user, pk=employee_id)).data)


class PayImportApi(APIView):
    """Upload an XLSX or CSV file: ``dry_run=true`` answers the preview; otherwise every row is written, or
    nothing when any row has an error (400 with the errors)."""

    class PayImportInputSerializer(serializers.Serializer):
        file = serializers.FileField()
        dry_run = serializers.BooleanField(required=False, default=False)

    class PayImportOutputSerializer(serializers.Serializer):
        valid = serializers.BooleanField()
        counts = serializers.DictField(child=serializers.IntegerField())
        errors = serializers.ListField(child=serializers.DictField())

    @extend_schema(request={"multipart/form-data": PayImportInputSerializer}, responses=PayImportOutputSerializer)
    def post(self, request):
        access.require_pay_data(request.user)
        ser = self.PayImportInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        f = ser.validated_data["file"]
        result = importing.preview(f, name=f.name) if ser.validated_data["dry_run"] else \
            importing.apply(actor=request.user, file=f, name=f.name)
        return Response({"valid": result.is_valid, "counts": result.counts(),
                         "errors": [{"line": ln, "column": c, "message": m} for ln, c, m in result.errors]})


# --- cycle settings ------------------------------------------------------------------------------------------------

class PayCycleSettingsSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(source="cycle.pk")
    coefficients = serializers.SerializerMethodField()
    merit_matrix = serializers.SerializerMethodField()
    budgets = serializers.SerializerMethodField()

    def get_coefficients(self, obj) -> dict | None:
        t = obj["table"]
        return {"coefficients": t.coefficients, "by_level": t.by_level, "version": t.version} if t else None

    def get_merit_matrix(self, obj) -> dict | None:
        m = obj["matrix"]
        return {"cells": m.cells, "effective_date": m.effective_date.isoformat(), "version": m.version} if m else None

    def get_budgets(self, obj) -> list[dict]:
        return [{"department": b.department_id, "kind": b.kind, "amount": str(b.amount), "version": b.version}
                for b in obj["budgets"]]


class PayCycleSettingsApi(APIView):
    @extend_schema(responses=PayCycleSettingsSerializer)
    def get(self, request, cycle_id):
        return Response(PayCycleSettingsSerializer(selectors.cycle_settings(user=request.user, cycle_id=cycle_id)).data)


class PayCoefficientsApi(APIView):
    class PayCoefficientsInputSerializer(serializers.Serializer):
        coefficients = serializers.DictField(child=serializers.CharField())
        by_level = serializers.DictField(child=serializers.DictField(child=serializers.CharField()), required=False)
        version = VersionField(help_text="Required when the table exists (409 when stale).")

    @extend_schema(request=PayCoefficientsInputSerializer, responses=PayCycleSettingsSerializer)
    def put(self, request, cycle_id):
        s = selectors.cycle_settings(user=request.user, cycle_id=cycle_id)
        ser = self.PayCoefficientsInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        if s["table"] is not None and d.get("version") is None:
            raise ApplicationError(_("Send the version you edited."), field="version")
        services.coefficients_set(actor=request.user, cycle=s["cycle"], coefficients=d["coefficients"],
                                  by_level=d.get("by_level"), expected_version=d.get("version"))
        return Response(PayCycleSettingsSerializer(selectors.cycle_settings(user=request.user, cycle_id=cycle_id)).data)


class PayMeritMatrixApi(APIView):
    class PayMeritMatrixInputSerializer(serializers.Serializer):
        cells = serializers.DictField(child=serializers.ListField(child=serializers.ListField(
            child=serializers.CharField())))
        effective_date = serializers.DateField()
        version = VersionField(help_text="Required when the matrix exists (409 when stale).")

    @extend_schema(request=PayMeritMatrixInputSerializer, responses=PayCycleSettingsSerializer)
    def put(self, request, cycle_id):
        s = selectors.cycle_settings(user=request.user, cycle_id=cycle_id)
        ser = self.PayMeritMatrixInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        if s["matrix"] is not None and d.get("version") is None:
            raise ApplicationError(_("Send the version you edited."), field="version")
        services.merit_matrix_set(actor=request.user, cycle=s["cycle"], cells=d["cells"],
                                  effective_date=d["effective_date"], expected_version=d.get("version"))
        return Response(PayCycleSettingsSerializer(selectors.cycle_settings(user=request.user, cycle_id=cycle_id)).data)


class PayBudgetApi(APIView):
    class PayBudgetInputSerializer(serializers.Serializer):
        department = serializers.IntegerField()
        kind = serializers.ChoiceField(choices=BudgetKind.choices)
        amount = serializers.CharField()
        version = VersionField(help_text="Required when this budget exists (409 when stale).")

    @extend_schema(request=PayBudgetInputSerializer, responses=PayCycleSettingsSerializer)
    def post(self, request, cycle_id):
        s = selectors.cycle_settings(user=request.user, cycle_id=cycle_id)
        ser = self.PayBudgetInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        dept = _get(Department, d["department"])
        exists = any(b.department_id == dept.pk and b.kind == d["kind"] for b in s["budgets"])
        if exists and d.get("version") is None:
            raise ApplicationError(_("Send the version you edited."), field="version")
        services.budget_set(actor=request.user, cycle=s["cycle"], department=dept, kind=d["kind"],
                            amount_value=d["amount"], expected_version=d.get("version"))
        return Response(PayCycleSettingsSerializer(selectors.cycle_settings(user=request.user, cycle_id=cycle_id)).data)


# --- runs -----------------------------------------------------------------------------------------------------------

class PayRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    cycle = serializers.IntegerField(source="cycle_id")
    period = serializers.CharField(source="cycle.period")
    number = serializers.IntegerField()
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    status = serializers.ChoiceField(choices=RunStatus.choices)
    rows = serializers.IntegerField()
    total_base = serializers.DecimalField(**MONEY)
    total_performance_pay = serializers.DecimalField(**MONEY)
    total_team_reward = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    changed_rows = serializers.IntegerField()
    missing_base = serializers.IntegerField()
    needs_correction = serializers.BooleanField()
    approved_at = serializers.DateTimeField(allow_null=True)
    released_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class PayLineSerializer(serializers.Serializer):
    employee = serializers.IntegerField(source="employee_id")
    employee_no = serializers.CharField(source="employee.employee_no")
    name = serializers.CharField(source="employee.name")
    department = serializers.IntegerField(source="department_id")
    grade = serializers.CharField()
    coefficient = serializers.DecimalField(max_digits=6, decimal_places=3)
    base = serializers.DecimalField(**MONEY)
    has_base = serializers.BooleanField()
    performance_pay = serializers.DecimalField(**MONEY)
    team_reward = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    previous_total = serializers.DecimalField(allow_null=True, **MONEY)
    changed = serializers.BooleanField()
    explanation = serializers.CharField()


class PayRunListApi(generics.ListAPIView):
    """Runs (totals only): HR, finance and the general manager. POST (HR) computes the run of a published
    cycle (a draft is recomputed; after a changed result, a correction run)."""

    queryset = PayoutRun.objects.none()  # for the schema; get_queryset applies the access rules
    serializer_class = PayRunSerializer

    class PayRunComputeInputSerializer(serializers.Serializer):
        cycle = serializers.IntegerField()

    def get_queryset(self):
        return selectors.run_list(user=self.request.user, filters=_filters(self.request, ("cycle", "status")))

    @extend_schema(parameters=FILTERS[2:])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PayRunComputeInputSerializer, responses={201: PayRunSerializer})
    def post(self, request):
        access.require_totals(request.user)
        ser = self.PayRunComputeInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        run = services.run_compute(actor=request.user, cycle=_get(Cycle, ser.validated_data["cycle"]))
        return Response(PayRunSerializer(run).data, status=status.HTTP_201_CREATED)


class PayRunApi(APIView):
    @extend_schema(responses=PayRunSerializer)
    def get(self, request, pk):
        return Response(PayRunSerializer(selectors.run_get(user=request.user, pk=pk)).data)


class PayRunLinesApi(generics.ListAPIView):
    """The lines of a run with each amount's explanation: HR and finance only."""

    queryset = PayoutLine.objects.none()  # for the schema; get_queryset applies the access rules
    serializer_class = PayLineSerializer

    def get_queryset(self):
        run = selectors.run_get(user=self.request.user, pk=self.kwargs["pk"])
        f = _filters(self.request, ("q", "department"))
        if self.request.query_params.get("changed"):
            f["changed"] = True
        return selectors.run_lines(user=self.request.user, run=run, filters=f)

    @extend_schema(parameters=[*FILTERS[:2], OpenApiParameter("changed", bool, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PayRunActionInputSerializer(serializers.Serializer):
    version = RequiredVersion()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _run_action(name):
    calls = {
        "submit": lambda u, r, d: services.run_submit(actor=u, run=r, expected_version=d["version"]),
        "approve": lambda u, r, d: services.run_approve(actor=u, run=r, expected_version=d["version"]),
        "return": lambda u, r, d: services.run_return(actor=u, run=r, reason=d["reason"],
                                                      expected_version=d["version"]),
        "release": lambda u, r, d: services.run_release(actor=u, run=r, expected_version=d["version"]),
    }

    class Action(APIView):
        @extend_schema(request=PayRunActionInputSerializer, responses=PayRunSerializer,
                       operation_id=f"pay_runs_{name}_create")
        def post(self, request, pk):
            run = selectors.run_get(user=request.user, pk=pk)
            ser = PayRunActionInputSerializer(data=request.data)
            ser.is_valid(raise_exception=True)
            return Response(PayRunSerializer(calls[name](request.user, run, ser.validated_data)).data)

    Action.__name__ = Action.__qualname__ = f"PayRun{name.title()}Api"
    return Action


PayRunSubmitApi = _run_action("submit")
PayRunApproveApi = _run_action("approve")
PayRunReturnApi = _run_action("return")
PayRunReleaseApi = _run_action("release")


class PayRunExportApi(APIView):
    """The payroll file of an approved run (finance and HR); audited."""

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, pk, fmt):
        access.require_pay_data(request.user)
        run = selectors.run_get(user=request.user, pk=pk)
        content, name = exporting.run_export(actor=request.user, run=run, fmt=fmt)
        resp = HttpResponse(content, content_type=CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE)
        resp["Content-Disposition"] = f'attachment; filename="{name}"'
        return resp


class PayMineApi(generics.ListAPIView):
    """The user's own payouts in released runs."""

    class PayMyLineSerializer(PayLineSerializer):
        period = serializers.CharField(source="run.cycle.period")
        run = serializers.IntegerField(source="run_id")

    serializer_class = PayMyLineSerializer

    def get_queryset(self):
        return selectors.my_payouts(user=self.request.user)


# --- proposals -------------------------------------------------------------------------------------------------------

class PayProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    cycle = serializers.IntegerField(source="cycle_id")
    employee = serializers.IntegerField(source="employee_id")
    employee_no = serializers.CharField(source="employee.employee_no")
    name = serializers.CharField(source="employee.name")
    department = serializers.IntegerField(source="department_id")
    proposed_by = serializers.IntegerField(source="proposed_by_id")
    grade = serializers.CharField()
    current_salary = serializers.DecimalField(**MONEY)
    quartile = serializers.IntegerField()
    guideline_min = serializers.DecimalField(max_digits=7, decimal_places=2)
    guideline_max = serializers.DecimalField(max_digits=7, decimal_places=2)
    increase_pct = serializers.DecimalField(max_digits=7, decimal_places=2)
    increase_amount = serializers.DecimalField(**MONEY)
    new_salary = serializers.DecimalField(**MONEY)
    effective_date = serializers.DateField()
    justification = serializers.CharField()
    outside_guideline = serializers.BooleanField()
    above_band = serializers.BooleanField()
    status = serializers.ChoiceField(choices=ProposalStatus.choices)
    decision_note = serializers.CharField()
    version = serializers.IntegerField()


class PayProposalListApi(generics.ListAPIView):
    """Proposals the user may see (a manager: their team's, never their own). POST: a manager proposes."""

    serializer_class = PayProposalSerializer

    class PayProposalInputSerializer(serializers.Serializer):
        cycle = serializers.IntegerField()
        employee = serializers.IntegerField()
        increase_pct = serializers.CharField()
        justification = serializers.CharField(required=False, allow_blank=True, default="")

    def get_queryset(self):
        return selectors.proposal_list(user=self.request.user, filters=_filters(self.request))

    @extend_schema(parameters=FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PayProposalInputSerializer, responses={201: PayProposalSerializer})
    def post(self, request):
        ser = self.PayProposalInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        p = services.proposal_create(actor=request.user, cycle=_get(Cycle, d["cycle"]),
                                     employee=_get(Employee, d["employee"]), increase_pct=d["increase_pct"],
                                     justification=d["justification"])
        return Response(PayProposalSerializer(p).data, status=status.HTTP_201_CREATED)


class PayProposalApi(APIView):
    class PayProposalUpdateSerializer(serializers.Serializer):
        increase_pct = serializers.CharField()
        justification = serializers.CharField(required=False, allow_blank=True, default="")
        version = RequiredVersion()

    @extend_schema(responses=PayProposalSerializer)
    def get(self, request, pk):
        return Response(PayProposalSerializer(selectors.proposal_get(user=request.user, pk=pk)).data)

    @extend_schema(request=PayProposalUpdateSerializer, responses=PayProposalSerializer)
    def patch(self, request, pk):
        p = selectors.proposal_get(user=request.user, pk=pk)
        ser = self.PayProposalUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        p = services.proposal_update(actor=request.user, proposal=p, increase_pct=d["increase_pct"],
                                     justification=d["justification"], expected_version=d["version"])
        return Response(PayProposalSerializer(p).data)


class PayProposalDecisionInputSerializer(serializers.Serializer):
    version = RequiredVersion()
    note = serializers.CharField(required=False, allow_blank=True, default="")


def _proposal_action(name):
    calls = {
        "review": lambda u, p, d: services.proposal_review(actor=u, proposal=p, expected_version=d["version"]),
        "approve": lambda u, p, d: services.proposal_approve(actor=u, proposal=p, expected_version=d["version"]),
        "reject": lambda u, p, d: services.proposal_reject(actor=u, proposal=p, note=d["note"],
                                                           expected_version=d["version"]),
    }

    class Action(APIView):
        @extend_schema(request=PayProposalDecisionInputSerializer, responses=PayProposalSerializer,
                       operation_id=f"pay_proposals_{name}_create")
        def post(self, request, pk):
            p = selectors.proposal_get(user=request.user, pk=pk)
            ser = PayProposalDecisionInputSerializer(data=request.data)
            ser.is_valid(raise_exception=True)
            return Response(PayProposalSerializer(calls[name](request.user, p, ser.validated_data)).data)

    Action.__name__ = Action.__qualname__ = f"PayProposal{name.title()}Api"
    return Action


PayProposalReviewApi = _proposal_action("review")
PayProposalApproveApi = _proposal_action("approve")
PayProposalRejectApi = _proposal_action("reject")


# --- team reward -------------------------------------------------------------------------------------------------------

class PayTeamRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    department = serializers.IntegerField(source="department_id")
    indicator = serializers.IntegerField(source="indicator_id")
    min_growth_pct = serializers.DecimalField(max_digits=7, decimal_places=2)
    pool_kind = serializers.ChoiceField(choices=PoolKind.choices)
    pool_amount = serializers.DecimalField(allow_null=True, **MONEY)
    pool_share_pct = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    split = serializers.ChoiceField(choices=SplitKind.choices)
    is_active = serializers.BooleanField()
    version = serializers.IntegerField()


class PayTeamRuleInputSerializer(serializers.Serializer):
    department = serializers.IntegerField()
    indicator = serializers.IntegerField()
    min_growth_pct = serializers.CharField()
    pool_kind = serializers.ChoiceField(choices=PoolKind.choices)
    pool_amount = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    pool_share_pct = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    split = serializers.ChoiceField(choices=SplitKind.choices, required=False, default=SplitKind.EQUAL)
    is_active = serializers.BooleanField(required=False, default=True)


def _rule_args(d) -> dict:
    return {"department": _get(Department, d["department"]), "indicator": _get(Indicator, d["indicator"]),
            "min_growth_pct": d["min_growth_pct"], "pool_kind": d["pool_kind"], "pool_amount": d.get("pool_amount"),
            "pool_share_pct": d.get("pool_share_pct"), "split": d["split"], "is_active": d["is_active"]}


class PayTeamRuleListApi(generics.ListAPIView):
    queryset = TeamRewardRule.objects.none()  # for the schema; get_queryset applies the access rules
    serializer_class = PayTeamRuleSerializer

    def get_queryset(self):
        return selectors.team_rules(user=self.request.user)

    @extend_schema(request=PayTeamRuleInputSerializer, responses={201: PayTeamRuleSerializer})
    def post(self, request):
        access.require_totals(request.user)
        ser = PayTeamRuleInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rule = services.team_rule_save(actor=request.user, **_rule_args(ser.validated_data))
        return Response(PayTeamRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class PayTeamRuleApi(APIView):
    class PayTeamRuleUpdateSerializer(PayTeamRuleInputSerializer):
        version = RequiredVersion()

    @extend_schema(request=PayTeamRuleUpdateSerializer, responses=PayTeamRuleSerializer)
    def put(self, request, pk):
        access.require_totals(request.user)
        rule = _get(TeamRewardRule, pk)
        ser = self.PayTeamRuleUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rule = services.team_rule_save(actor=request.user, rule=rule, expected_version=ser.validated_data["version"],
                                       **_rule_args(ser.validated_data))
        return Response(PayTeamRuleSerializer(rule).data)


class PayTeamResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    rule = serializers.IntegerField(source="rule_id")
    team = serializers.IntegerField(source="rule.department_id")
    cycle = serializers.IntegerField(source="cycle_id")
    period = serializers.CharField(source="cycle.period")
    previous_period = serializers.CharField()
    total = serializers.DecimalField(max_digits=18, decimal_places=2)
    previous_total = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    growth_pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    met = serializers.BooleanField()
    pool = serializers.DecimalField(**MONEY)
    members = serializers.IntegerField()


class PayTeamResultListApi(generics.ListAPIView):
    """Team results, open to the team; POST (HR) evaluates every active rule for a cycle."""

    serializer_class = PayTeamResultSerializer

    class PayTeamEvaluateInputSerializer(serializers.Serializer):
        cycle = serializers.IntegerField()

    def get_queryset(self):
        return selectors.team_results(user=self.request.user, filters=_filters(self.request, ("cycle",)))

    @extend_schema(parameters=[FILTERS[2]])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PayTeamEvaluateInputSerializer, responses=PayTeamResultSerializer(many=True))
    def post(self, request):
        access.require_totals(request.user)
        ser = self.PayTeamEvaluateInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        results = services.team_reward_evaluate(actor=request.user, cycle=_get(Cycle, ser.validated_data["cycle"]))
        return Response(PayTeamResultSerializer(results, many=True).data)
