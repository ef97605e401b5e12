"""API shapes. Input serializers validate types only; the services decide everything else. Output
serializers show each reader only what they may see (see ``selectors.visibility``)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.drf import VersionField
from apps.core.models import DocumentLayout
from apps.org.models import Department, ReviewFrequency

from . import permissions, selectors
from .models import STAGE_ORDER, Appraisal, Cycle, CycleBlocker, Policy, ScoreLine, Stage, Status

# --- cycles ------------------------------------------------------------------------------------------


class GradeBandSerializer(serializers.Serializer):
    grade = serializers.CharField(max_length=8)
    min = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True, required=False)


class StageDeadlineSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    due_date = serializers.DateField()
    policy = serializers.ChoiceField(choices=Policy.choices, required=False)


class CycleSerializer(serializers.ModelSerializer):
    display_title = serializers.CharField(read_only=True)
    stages = serializers.SerializerMethodField()
    appraisal_count = serializers.IntegerField(read_only=True, default=None)
    published_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Cycle
        fields = ["id", "title", "display_title", "period", "frequency", "status", "requires_calibration",
                  "is_routine", "grade_bands", "opened_at", "published_at", "stages", "appraisal_count",
                  "published_count", "version"]

    @extend_schema_field(StageDeadlineSerializer(many=True))
    def get_stages(self, cycle):
        order = {s: i for i, s in enumerate(STAGE_ORDER)}
        rows = sorted(cycle.stages.all(), key=lambda s: order[s.stage])
        return [{"stage": s.stage, "due_date": s.due_date, "policy": s.policy} for s in rows]


class CycleCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    period = serializers.CharField(max_length=7)
    frequency = serializers.ChoiceField(choices=ReviewFrequency.choices)
    job_levels = serializers.ListField(child=serializers.IntegerField(), required=False)
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, required=False)
    stages = StageDeadlineSerializer(many=True)
    grade_bands = GradeBandSerializer(many=True, required=False)
    requires_calibration = serializers.BooleanField(required=False, default=False)
    open = serializers.BooleanField(required=False, default=False, help_text="open it at once")


class CycleUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    stages = StageDeadlineSerializer(many=True, required=False)
    grade_bands = GradeBandSerializer(many=True, required=False)
    requires_calibration = serializers.BooleanField(required=False)
    version = VersionField()


class ScopeSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                    allow_null=True)
    ready_only = serializers.BooleanField(required=False, default=False)


class BlockerSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="employee.employee_no")
    employee_name = serializers.CharField(source="employee.name")
    department_name = serializers.CharField(source="department.name")
    manager_name = serializers.CharField(source="employee.supervisor.name", default=None)

    class Meta:
        model = CycleBlocker
        fields = ["id", "employee", "employee_no", "employee_name", "department", "department_name",
                  "manager_name", "reason", "contract_status", "reminded_at", "reminder_count"]


class ScheduleSerializer(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=ReviewFrequency.choices)
    is_active = serializers.BooleanField()
    stage_days = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False)
    stage_policies = serializers.DictField(child=serializers.ChoiceField(choices=Policy.choices), required=False)
    grade_bands = GradeBandSerializer(many=True, required=False)
    last_opened_period = serializers.CharField(read_only=True)
    version = VersionField()


# --- appraisals --------------------------------------------------------------------------------------

class AppraisalListSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="employee.employee_no")
    employee_name = serializers.CharField(source="employee.name")
    department_name = serializers.CharField(source="department.name")
    appraiser_name = serializers.CharField(source="appraiser.name", default=None)
    cycle_title = serializers.CharField(source="cycle.display_title")
    status_label = serializers.CharField(source="get_status_display")
    overdue_stage = serializers.CharField(read_only=True, help_text="the stage whose deadline passed, or empty")

    class Meta:
        model = Appraisal
        fields = ["id", "cycle", "cycle_title", "period", "employee", "employee_no", "employee_name", "department",
                  "department_name", "job_level", "appraiser", "appraiser_name", "status", "status_label",
                  "lines_pending", "lines_returned", "overdue_stage", "total_score", "grade", "calibrated_grade",
                  "published_at", "version"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None:
            vis = selectors.visibility(permissions.relations(request.user, instance), instance)
            if not vis.total:
                for key in ("total_score", "grade", "calibrated_grade"):
                    data[key] = None
        return data


class LineSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", default=None)
    title = serializers.CharField(source="display_title")
    data_source_name = serializers.CharField(source="data_source.name", default=None)
    actual_display = serializers.CharField(source="display_actual")
    explanation = serializers.CharField()

    class Meta:
        model = ScoreLine
        fields = ["id", "section", "order", "indicator", "indicator_code", "title", "weight", "standard", "target",
                  "unit", "due_date", "milestones_total", "rule", "rule_kind", "data_source", "data_source_name",
                  "collection", "actual", "done_date", "milestones_done", "actual_display", "evidence",
                  "return_reason", "attainment", "score", "explanation", "score_source", "self_score",
                  "self_comment", "manager_score", "manager_comment", "version"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        vis = self.context.get("visibility")
        if vis is not None:
            if not vis.self_assessment:
                data["self_score"], data["self_comment"] = None, ""
            if not vis.manager_scores:
                data["manager_score"], data["manager_comment"] = None, ""
                if instance.is_direct:
                    data["score"], data["explanation"], data["score_source"] = None, "", ""
        return data


class ActionsSerializer(serializers.Serializer):
    """What the reader may do now (the same rules the services apply: a true one is not refused for
    the appraisal's state or the reader's role)."""

    verify = serializers.BooleanField()
    publish = serializers.BooleanField()


class AppraisalDetailSerializer(AppraisalListSerializer):
    lines = serializers.SerializerMethodField()
    total_explanation = serializers.CharField()
    actions = serializers.SerializerMethodField()

    class Meta(AppraisalListSerializer.Meta):
        fields = AppraisalListSerializer.Meta.fields + [
            "contract", "results_weight", "behaviour_weight", "plan_weight", "results_score", "behaviour_score",
            "plan_score", "total_explanation", "verified_at", "verified_automatically", "self_comment",
            "self_submitted_at", "self_not_submitted", "manager_comment", "manager_submitted_at",
            "manager_not_submitted", "lines", "actions"]

    @extend_schema_field(ActionsSerializer)
    def get_actions(self, appraisal):
        return self.context.get("actions", {"verify": False, "publish": False})

    @extend_schema_field(LineSerializer(many=True))
    def get_lines(self, appraisal):
        vis = self.context["visibility"]
        return LineSerializer(self.context["lines"], many=True, context={"visibility": vis}).data

    def to_representation(self, instance):
        data = super().to_representation(instance)
        vis = self.context["visibility"]
        if not vis.total:
            for key in ("results_score", "behaviour_score", "plan_score"):
                data[key] = None
            data["total_explanation"] = ""
        if not vis.manager_scores:
            data["manager_comment"] = ""
        if not vis.self_assessment:
            data["self_comment"] = ""
        return data


class LineScoreInputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True)
    version = VersionField()


class ScoringInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True)
    lines = LineScoreInputSerializer(many=True, required=False)
    submit = serializers.BooleanField(required=False, default=False)
    version = VersionField()


class VersionInputSerializer(serializers.Serializer):
    version = VersionField()


# --- actuals -----------------------------------------------------------------------------------------

class ActualLineSerializer(serializers.ModelSerializer):
    """A line as its data owner sees it: the data only, never scores or comments."""

    cycle_title = serializers.CharField(source="cycle.display_title")
    appraisal = serializers.IntegerField(source="appraisal_id")
    employee_no = serializers.CharField(source="appraisal.employee.employee_no")
    employee_name = serializers.CharField(source="appraisal.employee.name")
    department_name = serializers.CharField(source="appraisal.department.name", default=None)
    indicator_code = serializers.CharField(source="indicator.code", default=None)
    title = serializers.CharField(source="display_title")
    data_source_name = serializers.CharField(source="data_source.name", default=None)
    editable = serializers.SerializerMethodField()

    class Meta:
        model = ScoreLine
        fields = ["id", "cycle", "cycle_title", "appraisal", "employee_no", "employee_name", "department_name",
                  "indicator_code", "title", "standard", "target", "unit", "due_date", "milestones_total",
                  "rule_kind", "data_source", "data_source_name", "collection", "actual", "done_date",
                  "milestones_done", "evidence", "return_reason", "editable", "version"]

    @extend_schema_field(serializers.BooleanField())
    def get_editable(self, line) -> bool:
        return line.appraisal.status == Status.COLLECTING


class ActualInputSerializer(serializers.Serializer):
    actual = serializers.CharField(allow_blank=True)
    evidence = serializers.CharField(required=False, allow_blank=True)
    version = VersionField()


class ReturnInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    version = VersionField()


class LineScoreSerializer(serializers.Serializer):
    score = serializers.CharField(allow_blank=True, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=[("manager", "manager"), ("self", "self")], default="manager")
    version = VersionField()


class UploadInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class UploadRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    employee_no = serializers.CharField()
    indicator_code = serializers.CharField()
    actual = serializers.CharField()
    action = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())


# --- calibration -------------------------------------------------------------------------------------

class GradeQuotaSerializer(serializers.Serializer):
    grades = serializers.ListField(child=serializers.CharField(max_length=8), min_length=1)
    limit = serializers.ChoiceField(choices=[("at_most", "at most"), ("at_least", "at least")])
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    is_hard = serializers.BooleanField(required=False, default=False)


class QuotaSetSerializer(serializers.Serializer):
    quotas = GradeQuotaSerializer(many=True)
    version = serializers.IntegerField(required=False, allow_null=True)


class GradeCalibrateSerializer(serializers.Serializer):
    grade = serializers.CharField(max_length=8)
    reason = serializers.CharField(allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True)


class CalibratedAppraisalSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="employee.employee_no", read_only=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    final_grade = serializers.CharField(read_only=True)

    class Meta:
        model = Appraisal
        fields = ["id", "employee", "employee_no", "employee_name", "department", "department_name", "status",
                  "total_score", "grade", "calibrated_grade", "final_grade", "calibrated_at", "calibrated_by",
                  "calibration_reason", "version"]


class PrintBatchSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    layout = serializers.ChoiceField(choices=DocumentLayout.choices, default=DocumentLayout.MERGED)
    keep_hours = serializers.IntegerField(min_value=1, max_value=24 * 30, default=72)
