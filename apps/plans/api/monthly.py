"""Monthly work plans in the API: the list (and filing a plan), one plan, its items, its moves, results."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.drf import VersionField
from apps.core.exceptions import NotFound
from apps.org.models import Employee

from .. import selectors, services
from ..models import MonthlyPlan, PlanItem, PlanStatus

# --- output shapes -------------------------------------------------------------------------------

class PlanItemOutput(serializers.ModelSerializer):
    goal_name = serializers.CharField(source="goal.name", default=None, read_only=True)
    carried_from = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = PlanItem
        fields = ["id", "order", "task", "expected_result", "weight", "due_date", "goal", "goal_name", "completed",
                  "result_note", "carried_from"]


class MonthlyPlanOutput(serializers.ModelSerializer):
    # a plain string in the schema: an enum named "Status" would collide with other apps' statuses
    status = serializers.CharField(read_only=True, help_text="draft, submitted, returned or confirmed")
    employee_no = serializers.CharField(source="employee.employee_no", read_only=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    department = serializers.CharField(source="employee.department.name", read_only=True)
    month_label = serializers.CharField(read_only=True)
    total_weight = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True, default=None)
    item_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = MonthlyPlan
        fields = ["id", "employee", "employee_no", "employee_name", "department", "year", "month", "month_label",
                  "status", "submitted_at", "returned_at", "return_comment", "confirmed_at", "reopened_at",
                  "reopen_reason", "total_weight", "item_count", "version"]


class PlanChangeOutput(serializers.Serializer):
    item = serializers.IntegerField(source="item_id", allow_null=True)
    item_label = serializers.CharField()
    kind = serializers.CharField()
    changes = serializers.JSONField()
    actor = serializers.CharField(source="actor.username", default=None)
    actor_role = serializers.CharField()
    plan_status = serializers.CharField()
    at = serializers.DateTimeField()


class MonthlyPlanDetailOutput(MonthlyPlanOutput):
    """The shape of one plan as the detail and every action answer it (documentation for the schema)."""

    items = PlanItemOutput(many=True, read_only=True)
    due_date = serializers.DateField(read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    actions = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text="What the user may do now: edit, submit, return, confirm, reopen, ...")
    approver = serializers.CharField(read_only=True)
    changes = PlanChangeOutput(many=True, read_only=True)

    class Meta(MonthlyPlanOutput.Meta):
        fields = [*MonthlyPlanOutput.Meta.fields, "items", "due_date", "overdue", "actions", "approver", "changes"]


def _plan_detail(request, plan: MonthlyPlan) -> dict:
    data = MonthlyPlanOutput(plan).data
    items = selectors.plan_items(plan)
    due = selectors.plan_due_date(plan.year, plan.month)
    data.update({
        "items": PlanItemOutput(items, many=True).data,
        "total_weight": str(sum((i.weight for i in items), 0)),
        "item_count": len(items),
        "due_date": due.isoformat(),
        "overdue": selectors.plan_is_overdue(plan.status, due),
        "actions": sorted(services.plan_actions(request.user, plan)),
        "approver": services.approver_name(plan.employee),
        "changes": PlanChangeOutput(selectors.plan_changes(plan), many=True).data,
    })
    return data


# --- monthly plans ---------------------------------------------------------------------------------

class PlanFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False)
    month = serializers.IntegerField(required=False, min_value=1, max_value=12)
    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False)
    employee = serializers.IntegerField(required=False)
    department = serializers.IntegerField(required=False)
    direct = serializers.BooleanField(required=False, help_text="Only plans of my direct reports.")


class MonthlyPlanListApi(ListAPIView):
    """GET: the plans the user may read (own, reports, HR all). POST: file (start) a month's plan."""

    serializer_class = MonthlyPlanOutput
    filter_backends = []

    class MonthlyPlanFileInputSerializer(serializers.Serializer):
        employee = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), required=False,
                                                      help_text="Default: yourself. HR may file for others.")
        year = serializers.IntegerField(min_value=2000, max_value=2100)
        month = serializers.IntegerField(min_value=1, max_value=12)
        carry_forward = serializers.BooleanField(required=False, default=False)
        items = serializers.ListField(child=serializers.DictField(), required=False)

    def get_queryset(self):
        ser = PlanFilterSerializer(data=self.request.query_params)
        ser.is_valid(raise_exception=True)
        filters = {k: v for k, v in ser.validated_data.items() if v not in (None, "", False)}
        return selectors.monthly_plan_list(user=self.request.user, filters=filters)

    @extend_schema(request=MonthlyPlanFileInputSerializer, responses={201: MonthlyPlanDetailOutput})
    def post(self, request):
        ser = self.MonthlyPlanFileInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        employee = d.get("employee") or selectors.viewer_employee(request.user)
        if employee is None:
            raise NotFound("Not found.")
        plan = services.plan_create(actor=request.user, employee=employee, year=d["year"], month=d["month"],
                                    carry_forward=d["carry_forward"])
        if d.get("items"):
            plan = services.plan_items_save(actor=request.user, plan=plan, items=d["items"],
                                            expected_version=plan.version)
        plan = selectors.monthly_plan_get(user=request.user, pk=plan.pk)
        return Response(_plan_detail(request, plan), status=status.HTTP_201_CREATED)


class MonthlyPlanDetailApi(APIView):
    @extend_schema(responses=MonthlyPlanDetailOutput)
    def get(self, request, pk):
        return Response(_plan_detail(request, selectors.monthly_plan_get(user=request.user, pk=pk)))


class ItemInput(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True)
    task = serializers.CharField(max_length=300, allow_blank=True)
    expected_result = serializers.CharField(max_length=500, required=False, allow_blank=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    due_date = serializers.DateField()
    goal = serializers.IntegerField(required=False, allow_null=True)


class MonthlyPlanItemsApi(APIView):
    """PUT the whole list of items: rows with an id change that item, rows without add one, items
    left out are removed. Send the plan's ``version``: a stale one answers 409."""

    class PlanItemsInputSerializer(serializers.Serializer):
        version = VersionField()
        items = ItemInput(many=True)

    @extend_schema(request=PlanItemsInputSerializer, responses=MonthlyPlanDetailOutput)
    def put(self, request, pk):
        plan = selectors.monthly_plan_get(user=request.user, pk=pk)
        ser = self.PlanItemsInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.plan_items_save(actor=request.user, plan=plan, items=[dict(i) for i in ser.validated_data["items"]],
                                 expected_version=ser.validated_data.get("version"))
        return Response(_plan_detail(request, selectors.monthly_plan_get(user=request.user, pk=pk)))


class _PlanActionApi(APIView):
    class PlanVersionInputSerializer(serializers.Serializer):
        version = VersionField()

    input_serializer = PlanVersionInputSerializer

    def call(self, request, plan, data):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk):
        plan = selectors.monthly_plan_get(user=request.user, pk=pk)
        ser = self.input_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        self.call(request, plan, ser.validated_data)
        return Response(_plan_detail(request, selectors.monthly_plan_get(user=request.user, pk=pk)))


class PlanSubmitApi(_PlanActionApi):
    """The employee submits: the weights must total 100%."""

    @extend_schema(request=_PlanActionApi.PlanVersionInputSerializer, responses=MonthlyPlanDetailOutput)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, plan, data):
        services.plan_submit(actor=request.user, plan=plan, expected_version=data.get("version"))


class PlanReturnApi(_PlanActionApi):
    class PlanReturnInputSerializer(serializers.Serializer):
        version = VersionField()
        comment = serializers.CharField(allow_blank=True)

    input_serializer = PlanReturnInputSerializer

    @extend_schema(request=PlanReturnInputSerializer, responses=MonthlyPlanDetailOutput)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, plan, data):
        services.plan_return(actor=request.user, plan=plan, comment=data["comment"],
                             expected_version=data.get("version"))


class PlanConfirmApi(_PlanActionApi):
    @extend_schema(request=_PlanActionApi.PlanVersionInputSerializer, responses=MonthlyPlanDetailOutput)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, plan, data):
        services.plan_confirm(actor=request.user, plan=plan, expected_version=data.get("version"))


class PlanReopenApi(_PlanActionApi):
    class PlanReopenInputSerializer(serializers.Serializer):
        version = VersionField()
        reason = serializers.CharField(allow_blank=True)

    input_serializer = PlanReopenInputSerializer

    @extend_schema(request=PlanReopenInputSerializer, responses=MonthlyPlanDetailOutput)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, plan, data):
        services.plan_reopen(actor=request.user, plan=plan, reason=data["reason"], expected_version=data.get("version"))


class PlanCarryForwardApi(_PlanActionApi):
    @extend_schema(request=_PlanActionApi.PlanVersionInputSerializer, responses=MonthlyPlanDetailOutput)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, plan, data):
        services.plan_carry_forward(actor=request.user, plan=plan)


class PlanBulkConfirmApi(APIView):
    class PlanBulkConfirmInputSerializer(serializers.Serializer):
        plans = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)

    class PlanBulkConfirmOutputSerializer(serializers.Serializer):
        confirmed = serializers.ListField(child=serializers.IntegerField())
        skipped = serializers.ListField(child=serializers.DictField(), help_text="[{plan, reason}]")

    @extend_schema(request=PlanBulkConfirmInputSerializer, responses=PlanBulkConfirmOutputSerializer)
    def post(self, request):
        ser = self.PlanBulkConfirmInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        result = services.plan_bulk_confirm(actor=request.user, plan_ids=ser.validated_data["plans"])
        return Response({"confirmed": [p.pk for p in result["confirmed"]],
                         "skipped": [{"plan": p.pk, "reason": reason} for p, reason in result["skipped"]]})


class PlanItemResultApi(APIView):
    class PlanItemResultInputSerializer(serializers.Serializer):
        completed = serializers.BooleanField()
        result_note = serializers.CharField(required=False, allow_blank=True, max_length=500)

    @extend_schema(request=PlanItemResultInputSerializer, responses=PlanItemOutput)
    def post(self, request, pk):
        item = PlanItem.objects.filter(pk=pk).first()
        if item is None:
            raise NotFound("Not found.")
        selectors.monthly_plan_get(user=request.user, pk=item.plan_id)
        ser = self.PlanItemResultInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        item = services.plan_item_complete(actor=request.user, item=item, **ser.validated_data)
        return Response(PlanItemOutput(item).data)
