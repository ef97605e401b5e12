"""The plans API: thin. One view per operation, the same selectors and services as the pages."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.drf import VersionField
from apps.core.exceptions import NotFound
from apps.core.periods import PeriodKind
from apps.org.models import Department, Employee, Position

from . import selectors, services
from .models import AnnualPlan, Goal, MonthlyPlan, OwnerKind, PlanItem, PlanStatus, StrategicTheme, Strategy

# --- output shapes -------------------------------------------------------------------------------


class GoalOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    period = serializers.CharField(source="period_code", read_only=True)
    period_label = serializers.CharField(read_only=True)
    level = serializers.CharField(source="level_label", read_only=True)
    owner = serializers.CharField(source="owner_name", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    employee_no = serializers.CharField(source="employee.employee_no", default=None, read_only=True)
    attainment = serializers.CharField(source="attainment_class", read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "code", "name", "name_zh", "name_en", "year", "period", "period_kind", "period_index",
                  "period_label", "parent", "root", "depth", "level", "owner_kind", "owner", "department",
                  "department_code", "position", "employee", "employee_no", "theme", "measure", "unit", "target",
                  "actual", "weight", "progress", "attainment", "description", "version"]


class GoalTreeNodeOutput(serializers.Serializer):
    goal = GoalOutput()
    context = serializers.BooleanField(help_text="Shown only as the ancestor of a goal that matches the filters.")
    children = serializers.SerializerMethodField()

    def get_children(self, node) -> list:
        return GoalTreeNodeOutput(node["children"], many=True).data


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


class GoalDetailOutput(GoalOutput):
    why = serializers.JSONField(read_only=True, help_text="The chain up to the strategy: strategy, theme, annual "
                                                         "plan and the goals above, top first.")

    class Meta(GoalOutput.Meta):
        fields = [*GoalOutput.Meta.fields, "why"]


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


# --- strategy --------------------------------------------------------------------------------------

class ThemeOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = StrategicTheme
        fields = ["id", "name", "name_zh", "name_en", "perspective", "description", "order"]


class StrategyListApi(ListAPIView):
    class StrategyOutputSerializer(serializers.ModelSerializer):
        name = serializers.CharField(read_only=True)
        themes = ThemeOutput(many=True, read_only=True)

        class Meta:
            model = Strategy
            fields = ["id", "code", "name", "name_zh", "name_en", "description", "start_year", "end_year",
                      "is_active", "themes", "version"]

    serializer_class = StrategyOutputSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.strategy_list()


class AnnualPlanListApi(ListAPIView):
    class AnnualPlanOutputSerializer(serializers.ModelSerializer):
        name = serializers.CharField(read_only=True)
        goal_count = serializers.IntegerField(read_only=True)

        class Meta:
            model = AnnualPlan
            fields = ["id", "year", "name", "name_zh", "name_en", "strategy", "summary", "goal_count", "version"]

    serializer_class = AnnualPlanOutputSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.annual_plan_list()


# --- goals -----------------------------------------------------------------------------------------

class GoalFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False)
    period = serializers.CharField(required=False, help_text="H1, Q2, M5 ...: goals whose period overlaps it.")
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices, required=False)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    owner_kind = serializers.ChoiceField(choices=OwnerKind.choices, required=False)
    employee = serializers.IntegerField(required=False)
    parent = serializers.IntegerField(required=False)
    q = serializers.CharField(required=False)
    mine = serializers.BooleanField(required=False)


def _goal_filters(request) -> dict:
    ser = GoalFilterSerializer(data=request.query_params)
    ser.is_valid(raise_exception=True)
    return {k: v for k, v in ser.validated_data.items() if v not in (None, "", False)}


class GoalListApi(ListAPIView):
    """GET: goals the user may see, flat, in tree order, with filters. POST: set a new goal."""

    serializer_class = GoalOutput
    filter_backends = []

    class GoalCreateInputSerializer(serializers.Serializer):
        annual_plan = serializers.PrimaryKeyRelatedField(queryset=AnnualPlan.objects.all(), required=False)
        parent = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.all(), required=False, allow_null=True)
        name_zh = serializers.CharField(max_length=120)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
        code = serializers.CharField(max_length=40, required=False, allow_blank=True)
        owner_kind = serializers.ChoiceField(choices=OwnerKind.choices)
        department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                        allow_null=True)
        position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all(), required=False,
                                                      allow_null=True)
        employee = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), required=False,
                                                      allow_null=True)
        period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
        period_index = serializers.IntegerField(required=False, default=1)
        measure = serializers.CharField(max_length=200, required=False, allow_blank=True)
        unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
        target = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
        weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
        theme = serializers.PrimaryKeyRelatedField(queryset=StrategicTheme.objects.all(), required=False,
                                                   allow_null=True)
        description = serializers.CharField(required=False, allow_blank=True)

    def get_queryset(self):
        return selectors.goal_list(user=self.request.user, filters=_goal_filters(self.request))

    @extend_schema(request=GoalCreateInputSerializer, responses=GoalOutput)
    def post(self, request):
        ser = self.GoalCreateInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        goal = services.goal_create(actor=request.user, **ser.validated_data)
        return Response(GoalOutput(selectors.goal_get(user=request.user, pk=goal.pk)).data,
                        status=status.HTTP_201_CREATED)


class GoalTreeApi(APIView):
    """The alignment tree: goals matching the filters, nested under their ancestors (marked context)."""

    @extend_schema(parameters=[GoalFilterSerializer], responses=GoalTreeNodeOutput(many=True))
    def get(self, request):
        filters = _goal_filters(request)
        filters.setdefault("year", timezone.localdate().year)
        return Response(GoalTreeNodeOutput(selectors.goal_tree(user=request.user, filters=filters), many=True).data)


class GoalDetailApi(APIView):
    class GoalUpdateInputSerializer(serializers.Serializer):
        parent = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.all(), required=False, allow_null=True)
        name_zh = serializers.CharField(max_length=120, required=False)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
        code = serializers.CharField(max_length=40, required=False, allow_blank=True)
        period_kind = serializers.ChoiceField(choices=PeriodKind.choices, required=False)
        period_index = serializers.IntegerField(required=False)
        measure = serializers.CharField(max_length=200, required=False, allow_blank=True)
        unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
        target = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
        weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
        theme = serializers.PrimaryKeyRelatedField(queryset=StrategicTheme.objects.all(), required=False,
                                                   allow_null=True)
        description = serializers.CharField(required=False, allow_blank=True)
        version = VersionField()

    def _detail(self, request, goal):
        data = GoalOutput(goal).data
        chain = selectors.goal_chain(goal, user=request.user)
        data["why"] = {
            "strategy": ({"id": chain["strategy"].pk, "name": chain["strategy"].name} if chain["strategy"] else None),
            "theme": ({"id": chain["theme"].pk, "name": chain["theme"].name,
                       "perspective": chain["theme"].perspective} if chain["theme"] else None),
            "annual_plan": {"id": chain["annual_plan"].pk, "year": chain["annual_plan"].year,
                            "name": chain["annual_plan"].name},
            "ancestors": [{"id": g.pk, "name": g.name, "level": g.level_label, "period": g.period_code,
                           "progress": str(g.progress)} for g in chain["ancestors"]],
        }
        return data

    @extend_schema(responses=GoalDetailOutput)
    def get(self, request, pk):
        return Response(self._detail(request, selectors.goal_get(user=request.user, pk=pk)))

    @extend_schema(request=GoalUpdateInputSerializer, responses=GoalDetailOutput)
    def patch(self, request, pk):
        goal = selectors.goal_get(user=request.user, pk=pk)
        ser = self.GoalUpdateInputSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        services.goal_update(actor=request.user, goal=goal, expected_version=version, **data)
        return Response(self._detail(request, selectors.goal_get(user=request.user, pk=pk)))

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        goal = selectors.goal_get(user=request.user, pk=pk)
        services.goal_delete(actor=request.user, goal=goal, expected_version=request.query_params.get("version"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class GoalProgressApi(APIView):
    class GoalProgressInputSerializer(serializers.Serializer):
        progress = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
        actual = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
        version = VersionField()

    @extend_schema(request=GoalProgressInputSerializer, responses=GoalOutput)
    def post(self, request, pk):
        goal = selectors.goal_get(user=request.user, pk=pk)
        ser = self.GoalProgressInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        services.goal_progress_update(actor=request.user, goal=goal, progress=d.get("progress"),
                                      actual=d.get("actual"), expected_version=d.get("version"))
        return Response(GoalOutput(selectors.goal_get(user=request.user, pk=pk)).data)


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


class AcknowledgementApi(ListAPIView):
    """GET: acknowledgements the user may read. POST: acknowledge your own position goals."""

    class AcknowledgementOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        employee = serializers.IntegerField(source="employee_id")
        employee_name = serializers.CharField(source="employee.name")
        position = serializers.IntegerField(source="position_id", allow_null=True)
        year = serializers.IntegerField()
        goals = serializers.JSONField()
        discussed_with = serializers.CharField(source="discussed_with.name", default=None)
        note = serializers.CharField()
        created_at = serializers.DateTimeField()

    class AcknowledgementInputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True)
        year = serializers.IntegerField(required=False)

    serializer_class = AcknowledgementOutputSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.acknowledgement_list(user=self.request.user)

    @extend_schema(request=AcknowledgementInputSerializer, responses=AcknowledgementOutputSerializer)
    def post(self, request):
        ser = self.AcknowledgementInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        ack = services.position_goals_acknowledge(actor=request.user, **ser.validated_data)
        return Response(self.AcknowledgementOutputSerializer(ack).data, status=status.HTTP_201_CREATED)


class PlanSettingsApi(APIView):
    class PlanSettingsOutputSerializer(serializers.Serializer):
        due_day = serializers.IntegerField()
        remind_days_before = serializers.IntegerField()
        version = serializers.IntegerField()

    class PlanSettingsInputSerializer(serializers.Serializer):
        due_day = serializers.IntegerField(min_value=1, max_value=28)
        remind_days_before = serializers.IntegerField(min_value=0, max_value=20)
        version = VersionField()

    @extend_schema(responses=PlanSettingsOutputSerializer)
    def get(self, request):
        return Response(self.PlanSettingsOutputSerializer(selectors.plan_settings_get()).data)

    @extend_schema(request=PlanSettingsInputSerializer, responses=PlanSettingsOutputSerializer)
    def put(self, request):
        ser = self.PlanSettingsInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        obj = services.plan_settings_update(actor=request.user, due_day=d["due_day"],
                                            remind_days_before=d["remind_days_before"],
                                            expected_version=d.get("version"))
        return Response(self.PlanSettingsOutputSerializer(obj).data)
