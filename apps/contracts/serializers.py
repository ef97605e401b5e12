from rest_framework import serializers

from apps.core.drf import VersionField
from apps.org.models import Department, Employee, JobLevel, Position
from apps.plans.models import Goal

from .models import (
    Dimension,
    Direction,
    Indicator,
    IndicatorClass,
    KpiType,
    Method,
    Perspective,
    Section,
)


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    default_data_source_code = serializers.CharField(source="default_data_source.code", default=None,
                                                     read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "name_zh", "name_en", "definition", "formula", "direction", "unit",
                  "kpi_type", "dimension", "perspective", "indicator_class", "default_data_source",
                  "default_data_source_code", "default_rule", "is_active", "version"]


class IndicatorInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name_zh = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    definition = serializers.CharField(required=False, allow_blank=True)
    formula = serializers.CharField(required=False, allow_blank=True)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True)
    kpi_type = serializers.ChoiceField(choices=KpiType.choices, required=False)
    dimension = serializers.ChoiceField(choices=Dimension.choices, required=False)
    perspective = serializers.ChoiceField(choices=Perspective.choices, required=False)
    indicator_class = serializers.ChoiceField(choices=IndicatorClass.choices, required=False)
    default_data_source = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                             allow_null=True)
    default_rule = serializers.JSONField(required=False)
    is_active = serializers.BooleanField(required=False)
    version = VersionField()


class TemplateLineSerializer(serializers.Serializer):
    """A template or contract line, in and out."""

    id = serializers.IntegerField(required=False)
    section = serializers.ChoiceField(choices=Section.choices, default=Section.RESULTS)
    order = serializers.IntegerField(required=False, min_value=0)
    indicator = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.all(), required=False, allow_null=True)
    indicator_code = serializers.CharField(source="indicator.code", default=None, read_only=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    display_title = serializers.CharField(read_only=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    standard = serializers.CharField(max_length=300, required=False, allow_blank=True)
    target = serializers.DecimalField(max_digits=16, decimal_places=4, required=False, allow_null=True)
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    milestones_total = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    rule = serializers.JSONField(required=False)
    data_source = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                     allow_null=True)
    data_source_code = serializers.CharField(source="data_source.code", default=None, read_only=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class ContractLineSerializer(TemplateLineSerializer):
    goal = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.all(), required=False, allow_null=True)
    plan_item = serializers.IntegerField(source="plan_item_id", read_only=True, allow_null=True)


class ContractTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(read_only=True)
    name_zh = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    job_level = serializers.PrimaryKeyRelatedField(queryset=JobLevel.objects.all(), required=False, allow_null=True)
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all(), required=False, allow_null=True)
    results_weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    behaviour_weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    plan_weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    line_count = serializers.IntegerField(read_only=True, required=False)
    version = VersionField()


class ContractTemplateDetailSerializer(ContractTemplateSerializer):
    lines = TemplateLineSerializer(many=True, required=False)


class ContractGenerateInputSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=7, required=False, allow_blank=True)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                    allow_null=True)
    job_level = serializers.PrimaryKeyRelatedField(queryset=JobLevel.objects.all(), required=False, allow_null=True)


class ContractPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()


class ContractListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee = ContractPartySerializer()
    appraiser = ContractPartySerializer(allow_null=True)
    department = serializers.CharField(source="employee.department.name")
    period = serializers.CharField()
    period_label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    method = serializers.CharField()
    version_no = serializers.IntegerField()
    is_latest = serializers.BooleanField()
    template = serializers.CharField(source="template.code", default=None)
    line_count = serializers.IntegerField(required=False)
    appraisee_signed = serializers.BooleanField(required=False)
    appraiser_signed = serializers.BooleanField(required=False)
    version = serializers.IntegerField()


class ContractSignatureSerializer(serializers.Serializer):
    party = serializers.CharField()
    signed_by = serializers.CharField(source="user.username")
    name = serializers.CharField(source="employee.name", default=None)
    signed_at = serializers.DateTimeField()
    content_hash = serializers.CharField()


class ContractDetailSerializer(ContractListSerializer):
    results_weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    behaviour_weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    plan_weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    appraiser_assigned_by_hr = serializers.BooleanField()
    previous = serializers.IntegerField(source="previous_id", allow_null=True)
    amendment_reason = serializers.CharField()
    return_reason = serializers.CharField()
    agreed_at = serializers.DateTimeField(allow_null=True)
    content_hash = serializers.CharField()
    lint_warnings = serializers.JSONField()
    lines = ContractLineSerializer(many=True, source="lines.all")
    signatures = ContractSignatureSerializer(many=True, source="signatures.all")


class ContractDraftInputSerializer(serializers.Serializer):
    employee = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all())
    period = serializers.CharField(max_length=7, required=False, allow_blank=True)
    template = serializers.IntegerField(required=False, allow_null=True)
    appraiser = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), required=False, allow_null=True)
    method = serializers.ChoiceField(choices=Method.choices, required=False)


class ContractUpdateInputSerializer(serializers.Serializer):
    version = VersionField()
    results_weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    behaviour_weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    plan_weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    appraiser = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), required=False, allow_null=True)
    method = serializers.ChoiceField(choices=Method.choices, required=False)
    lines = ContractLineSerializer(many=True, required=False)


class ContractVersionInputSerializer(serializers.Serializer):
    version = VersionField()


class ContractReturnInputSerializer(serializers.Serializer):
    version = VersionField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ContractAmendInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ContractChangeItemSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    field = serializers.CharField()
    value = serializers.JSONField()


class ContractChangeProposeInputSerializer(serializers.Serializer):
    version = VersionField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    changes = ContractChangeItemSerializer(many=True)


class ContractChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = serializers.IntegerField(source="contract_id")
    proposed_by = serializers.CharField(source="proposed_by.username")
    comment = serializers.CharField()
    changes = serializers.JSONField()
    status = serializers.CharField()
    decision_note = serializers.CharField()
    created_at = serializers.DateTimeField()


class ContractChangeDecisionInputSerializer(serializers.Serializer):
    version = VersionField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ScoringPreviewInputSerializer(serializers.Serializer):
    rule = serializers.JSONField()
    inputs = serializers.DictField(required=False, default=dict)
    curve = serializers.BooleanField(required=False, default=True)
