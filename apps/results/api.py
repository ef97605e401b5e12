"""The talent review API: thin views over the same services and selectors as the pages, with the same
access rules (apps.results.access: 404 for what the user may not see). Every write two people can make
requires the ``version`` the client edited; a stale one answers 409."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.appraisals.models import Cycle
from apps.core.drf import VersionField
from apps.core.exceptions import NotFound, PermissionDenied
from apps.core.roles import is_hr
from apps.org.models import Department, JobLevel

from . import access, selectors, services
from .models import (
    AbilitySource,
    ActionKind,
    ActionStatus,
    Assessment,
    Category,
    Competency,
    CompetencyModel,
    Family,
    Level,
    PerformanceBasis,
    Placement,
    TalentAction,
    TalentReview,
)

LEVEL_CHOICES = Level.choices


def RequiredVersion():  # noqa: N802 - a field factory
    return VersionField(required=True, help_text="The version you edited; a stale one answers 409.")


# --- output ---------------------------------------------------------------------------------------------

class TalentPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    employee_no = serializers.CharField()


class TalentCompetencySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    order = serializers.IntegerField()
    anchors = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    version = serializers.IntegerField()


class TalentCompetencyModelSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    family = serializers.ChoiceField(choices=Family.choices)
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    job_levels = serializers.SerializerMethodField()
    competencies = TalentCompetencySerializer(many=True)
    version = serializers.IntegerField()

    def get_job_levels(self, obj) -> list[int]:
        return [j.pk for j in obj.job_levels.all()]


class TalentCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    performance = serializers.ChoiceField(choices=LEVEL_CHOICES)
    ability = serializers.ChoiceField(choices=LEVEL_CHOICES)
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    action_zh = serializers.CharField()
    action_en = serializers.CharField()
    proposed_kinds = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()


class TalentReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    cycle = serializers.IntegerField(source="cycle_id")
    period = serializers.CharField(source="cycle.period")
    performance_basis = serializers.ChoiceField(choices=PerformanceBasis.choices)
    grade_levels = serializers.DictField(child=serializers.CharField())
    performance_medium_from = serializers.DecimalField(max_digits=9, decimal_places=2)
    performance_high_from = serializers.DecimalField(max_digits=9, decimal_places=2)
    ability_source = serializers.ChoiceField(choices=AbilitySource.choices)
    ability_medium_from = serializers.DecimalField(max_digits=4, decimal_places=2)
    ability_high_from = serializers.DecimalField(max_digits=4, decimal_places=2)
    behaviour_medium_from = serializers.DecimalField(max_digits=9, decimal_places=2)
    behaviour_high_from = serializers.DecimalField(max_digits=9, decimal_places=2)
    version = serializers.IntegerField()


class TalentPlacementSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    review = serializers.IntegerField(source="review_id")
    employee = TalentPersonSerializer()
    department = serializers.IntegerField(source="department_id")
    job_level = serializers.IntegerField(source="job_level_id", allow_null=True)
    grade = serializers.CharField()
    total_score = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    ability_value = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    performance = serializers.CharField(help_text="computed level (low, medium, high; empty when missing)")
    ability = serializers.CharField(help_text="computed level (low, medium, high; empty until rated)")
    cell_performance = serializers.SerializerMethodField()
    cell_ability = serializers.SerializerMethodField()
    overridden = serializers.BooleanField(source="is_overridden")
    override_reason = serializers.CharField()
    version = serializers.IntegerField()

    def get_cell_performance(self, obj) -> str:
        return obj.cell[0]

    def get_cell_ability(self, obj) -> str:
        return obj.cell[1]


class TalentCellSerializer(serializers.Serializer):
    performance = serializers.CharField()
    ability = serializers.CharField()
    category = serializers.CharField(source="category.name", allow_null=True)
    action = serializers.CharField(source="category.action", allow_null=True)
    count = serializers.IntegerField()
    percent = serializers.IntegerField()
    people = TalentPlacementSerializer(many=True)


class TalentGridSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    unplaced = serializers.IntegerField()
    cells = TalentCellSerializer(many=True)


class TalentRatingSerializer(serializers.Serializer):
    competency = serializers.IntegerField(source="competency_id")
    score = serializers.IntegerField()


class TalentAssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    employee = serializers.IntegerField(source="employee_id")
    model = serializers.IntegerField(source="model_id")
    status = serializers.CharField()
    average = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    comment = serializers.CharField()
    adjust_reason = serializers.CharField()
    ratings = TalentRatingSerializer(many=True)
    version = serializers.IntegerField()


class TalentActionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    placement = serializers.IntegerField(source="placement_id")
    employee = TalentPersonSerializer()
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    title = serializers.CharField()
    details = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    released_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class TalentHistorySerializer(serializers.Serializer):
    period = serializers.CharField()
    performance = serializers.CharField()
    ability = serializers.CharField()
    grade = serializers.CharField()


class TalentPlacementDetailSerializer(TalentPlacementSerializer):
    assessment = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    @extend_schema_field(TalentAssessmentSerializer(allow_null=True))
    def get_assessment(self, obj) -> dict | None:
        a = Assessment.objects.filter(review_id=obj.review_id, employee_id=obj.employee_id).first()
        return TalentAssessmentSerializer(a).data if a else None

    @extend_schema_field(TalentActionSerializer(many=True))
    def get_actions(self, obj):
        return TalentActionSerializer(TalentAction.objects.filter(placement=obj).order_by("pk"), many=True).data

    @extend_schema_field(TalentHistorySerializer(many=True))
    def get_history(self, obj):
        return [{"period": h.review.cycle.period, "performance": h.cell[0], "ability": h.cell[1], "grade": h.grade}
                for h in selectors.trajectory(self.context["request"].user, obj)]


# --- competency models and categories --------------------------------------------------------------------

class CompetencyModelListApi(generics.ListAPIView):
    """Competency models per job-level family (readable by every signed-in user; HR writes)."""

    serializer_class = TalentCompetencyModelSerializer
    pagination_class = None

    class TalentCompetencyModelInputSerializer(serializers.Serializer):
        family = serializers.ChoiceField(choices=Family.choices)
        name_zh = serializers.CharField(max_length=120)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        job_levels = serializers.PrimaryKeyRelatedField(many=True, queryset=JobLevel.objects.all(), required=False)

    def get_queryset(self):
        return CompetencyModel.objects.prefetch_related("job_levels", "competencies").order_by("family")

    @extend_schema(request=TalentCompetencyModelInputSerializer, responses={201: TalentCompetencyModelSerializer})
    def post(self, request):
        ser = self.TalentCompetencyModelInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        m = services.competency_model_save(actor=request.user, **ser.validated_data)
        return Response(TalentCompetencyModelSerializer(m).data, status=status.HTTP_201_CREATED)


class CompetencyModelDetailApi(APIView):
    class TalentCompetencyModelUpdateSerializer(CompetencyModelListApi.TalentCompetencyModelInputSerializer):
        version = RequiredVersion()

    @extend_schema(responses=TalentCompetencyModelSerializer)
    def get(self, request, pk):
        m = CompetencyModel.objects.filter(pk=pk).first()
        if m is None:
            raise NotFound(_("Not found."))
        return Response(TalentCompetencyModelSerializer(m).data)

    @extend_schema(request=TalentCompetencyModelUpdateSerializer, responses=TalentCompetencyModelSerializer)
    def put(self, request, pk):
        m = CompetencyModel.objects.filter(pk=pk).first()
        if m is None:
            raise NotFound(_("Not found."))
        ser = self.TalentCompetencyModelUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        m = services.competency_model_save(actor=request.user, model=m, expected_version=d.pop("version"), **d)
        return Response(TalentCompetencyModelSerializer(m).data)


class TalentCompetencyInputSerializer(serializers.Serializer):
    name_zh = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    order = serializers.IntegerField(required=False, min_value=0, max_value=999)
    anchors = serializers.ListField(child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
                                    help_text="five anchors, level 1 to 5: {\"zh\": ..., \"en\": ...}")


class CompetencyCreateApi(APIView):
    @extend_schema(request=TalentCompetencyInputSerializer, responses={201: TalentCompetencySerializer})
    def post(self, request, pk):
        m = CompetencyModel.objects.filter(pk=pk).first()
        if m is None:
            raise NotFound(_("Not found."))
        ser = TalentCompetencyInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        c = services.competency_save(actor=request.user, model=m, **ser.validated_data)
        return Response(TalentCompetencySerializer(c).data, status=status.HTTP_201_CREATED)


class CompetencyUpdateApi(APIView):
    class TalentCompetencyUpdateSerializer(TalentCompetencyInputSerializer):
        version = RequiredVersion()

    @extend_schema(request=TalentCompetencyUpdateSerializer, responses=TalentCompetencySerializer)
    def put(self, request, pk):
        c = Competency.objects.select_related("model").filter(pk=pk).first()
        if c is None:
            raise NotFound(_("Not found."))
        ser = self.TalentCompetencyUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        c = services.competency_save(actor=request.user, model=c.model, competency=c,
                                     expected_version=d.pop("version"), **d)
        return Response(TalentCompetencySerializer(c).data)


class CategoryListApi(generics.ListAPIView):
    """The nine categories (names, recommended actions, proposed kinds of action), for those who review."""

    serializer_class = TalentCategorySerializer
    pagination_class = None

    def get_queryset(self):
        if not access.may_review(self.request.user):
            return Category.objects.none()
        services.ensure_categories()
        return Category.objects.order_by("-performance", "ability")


class CategoryUpdateApi(APIView):
    class TalentCategoryInputSerializer(serializers.Serializer):
        name_zh = serializers.CharField(max_length=120)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        action_zh = serializers.CharField(max_length=300)
        action_en = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
        proposed_kinds = serializers.ListField(child=serializers.ChoiceField(choices=ActionKind.choices),
                                               required=False)
        version = RequiredVersion()

    @extend_schema(request=TalentCategoryInputSerializer, responses=TalentCategorySerializer)
    def put(self, request, pk):
        if not is_hr(request.user):
            raise NotFound(_("Not found."))
        c = Category.objects.filter(pk=pk).first()
        if c is None:
            raise NotFound(_("Not found."))
        ser = self.TalentCategoryInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        c = services.category_update(actor=request.user, category=c, expected_version=d.pop("version"), **d)
        return Response(TalentCategorySerializer(c).data)


# --- reviews and the grid -------------------------------------------------------------------------------

class TalentReviewSettingsSerializer(serializers.Serializer):
    performance_basis = serializers.ChoiceField(choices=PerformanceBasis.choices, required=False)
    grade_levels = serializers.DictField(child=serializers.ChoiceField(choices=LEVEL_CHOICES), required=False)
    performance_medium_from = serializers.DecimalField(max_digits=9, decimal_places=2, required=False)
    performance_high_from = serializers.DecimalField(max_digits=9, decimal_places=2, required=False)
    ability_source = serializers.ChoiceField(choices=AbilitySource.choices, required=False)
    ability_medium_from = serializers.DecimalField(max_digits=4, decimal_places=2, required=False)
    ability_high_from = serializers.DecimalField(max_digits=4, decimal_places=2, required=False)
    behaviour_medium_from = serializers.DecimalField(max_digits=9, decimal_places=2, required=False)
    behaviour_high_from = serializers.DecimalField(max_digits=9, decimal_places=2, required=False)


def _review(request, pk) -> TalentReview:
    r = selectors.reviews_for(request.user).filter(pk=pk).first()
    if r is None:
        raise NotFound(_("Not found."))
    return r


class ReviewListApi(generics.ListAPIView):
    serializer_class = TalentReviewSerializer

    class TalentReviewCreateSerializer(TalentReviewSettingsSerializer):
        cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())

    def get_queryset(self):
        return selectors.reviews_for(self.request.user)

    @extend_schema(request=TalentReviewCreateSerializer, responses={201: TalentReviewSerializer})
    def post(self, request):
        if not is_hr(request.user):
            raise PermissionDenied(_("Only HR may do this."))
        ser = self.TalentReviewCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        r = services.review_create(actor=request.user, **ser.validated_data)
        return Response(TalentReviewSerializer(r).data, status=status.HTTP_201_CREATED)


class ReviewDetailApi(APIView):
    class TalentReviewUpdateSerializer(TalentReviewSettingsSerializer):
        version = RequiredVersion()

    @extend_schema(responses=TalentReviewSerializer)
    def get(self, request, pk):
        return Response(TalentReviewSerializer(_review(request, pk)).data)

    @extend_schema(request=TalentReviewUpdateSerializer, responses=TalentReviewSerializer)
    def patch(self, request, pk):
        r = _review(request, pk)
        ser = self.TalentReviewUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        r = services.review_update(actor=request.user, review=r, expected_version=d.pop("version"), **d)
        return Response(TalentReviewSerializer(r).data)


FILTERS = [OpenApiParameter("department", int, description="a department id: it and everything below it"),
           OpenApiParameter("job_level", int), OpenApiParameter("q", str, description="name or employee number")]


def _filters(request) -> dict:
    from rest_framework.exceptions import ValidationError

    p, out = request.query_params, {}
    try:
        if p.get("department"):
            out["department"] = Department.objects.filter(pk=int(p["department"])).first()
            if out["department"] is None:
                raise ValidationError({"department": [_("Unknown department.")]})
        if p.get("job_level"):
            out["job_level_id"] = int(p["job_level"])
    except ValueError:
        raise ValidationError({"department": [_("Enter a whole number.")]})
    out["search"] = (p.get("q") or "").strip()[:60]
    return out


class GridApi(APIView):
    """The nine cells with counts, percentages and the first people of each (those the user may see)."""

    @extend_schema(parameters=FILTERS, responses=TalentGridSerializer)
    def get(self, request, pk):
        r = _review(request, pk)
        data = selectors.grid(request.user, r, **_filters(request))
        cells = [c for row in data["rows"] for c in row]
        return Response(TalentGridSerializer({"total": data["total"], "unplaced": data["unplaced"],
                                              "cells": cells}).data)


class PlacementListApi(generics.ListAPIView):
    serializer_class = TalentPlacementSerializer
    queryset = Placement.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Placement.objects.none()
        r = _review(self.request, self.kwargs["pk"])
        return selectors.with_people(selectors.placements(self.request.user, r, **_filters(self.request))).order_by(
            "employee__employee_no")

    @extend_schema(parameters=FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _placement(request, pk) -> Placement:
    return selectors.placement_for(request.user, pk)


class PlacementDetailApi(APIView):
    @extend_schema(responses=TalentPlacementDetailSerializer)
    def get(self, request, pk):
        return Response(TalentPlacementDetailSerializer(_placement(request, pk), context={"request": request}).data)


class OverrideApi(APIView):
    """HR moves the person to another cell with a required reason (moving back to the computed cell clears it)."""

    class TalentOverrideInputSerializer(serializers.Serializer):
        performance = serializers.ChoiceField(choices=LEVEL_CHOICES)
        ability = serializers.ChoiceField(choices=LEVEL_CHOICES)
        reason = serializers.CharField(allow_blank=True, max_length=2000)
        version = RequiredVersion()

    @extend_schema(request=TalentOverrideInputSerializer, responses=TalentPlacementSerializer)
    def post(self, request, pk):
        p = _placement(request, pk)
        ser = self.TalentOverrideInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        p = services.placement_override(actor=request.user, placement=p, performance=d["performance"],
                                        ability=d["ability"], reason=d["reason"], expected_version=d["version"])
        return Response(TalentPlacementSerializer(p).data)


class TalentRatingsInputSerializer(serializers.Serializer):
    ratings = serializers.DictField(child=serializers.IntegerField(), help_text="competency id -> rating (1-5)")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(required=False, default=False)
    version = VersionField(required=False, allow_null=True,
                           help_text="The version you edited (omit only for the first save); stale answers 409.")


class RatingsApi(APIView):
    """The manager (or HR) rates the person; after submitting, only HR adjusts (with a reason)."""

    @extend_schema(request=TalentRatingsInputSerializer, responses=TalentAssessmentSerializer)
    def put(self, request, pk):
        p = _placement(request, pk)
        ser = TalentRatingsInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        existing = Assessment.objects.filter(review_id=p.review_id, employee_id=p.employee_id).first()
        if existing is not None and d.get("version") is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"version": [_("Send the version you edited.")]})
        a = services.assessment_save(actor=request.user, review=p.review, employee=p.employee, ratings=d["ratings"],
                                     comment=d["comment"], submit=d["submit"], expected_version=d.get("version"))
        return Response(TalentAssessmentSerializer(a).data)


class RatingsAdjustApi(APIView):
    class TalentRatingsAdjustSerializer(serializers.Serializer):
        ratings = serializers.DictField(child=serializers.IntegerField())
        reason = serializers.CharField(allow_blank=True, max_length=2000)
        version = RequiredVersion()

    @extend_schema(request=TalentRatingsAdjustSerializer, responses=TalentAssessmentSerializer)
    def post(self, request, pk):
        p = _placement(request, pk)
        a = Assessment.objects.filter(review_id=p.review_id, employee_id=p.employee_id).first()
        if a is None:
            raise NotFound(_("Not found."))
        ser = self.TalentRatingsAdjustSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        a = services.assessment_adjust(actor=request.user, assessment=a, ratings=d["ratings"], reason=d["reason"],
                                       expected_version=d["version"])
        return Response(TalentAssessmentSerializer(a).data)


# --- actions --------------------------------------------------------------------------------------------

class ActionListApi(generics.ListAPIView):
    """Actions the user may see: those of people in their grid, and their own released ones."""

    serializer_class = TalentActionSerializer

    def get_queryset(self):
        p = self.request.query_params
        status_ = p.get("status") if p.get("status") in ActionStatus.values else None
        qs = selectors.actions(self.request.user, status=status_)
        if p.get("kind") in ActionKind.values:
            qs = qs.filter(kind=p["kind"])
        return qs

    class TalentActionCreateSerializer(serializers.Serializer):
        placement = serializers.IntegerField()
        kind = serializers.ChoiceField(choices=ActionKind.choices)
        title = serializers.CharField(max_length=200)
        details = serializers.CharField(required=False, allow_blank=True, default="")
        due_date = serializers.DateField(required=False, allow_null=True)

    @extend_schema(parameters=[OpenApiParameter("status", str), OpenApiParameter("kind", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=TalentActionCreateSerializer, responses={201: TalentActionSerializer})
    def post(self, request):
        ser = self.TalentActionCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        p = _placement(request, d.pop("placement"))
        a = services.action_add(actor=request.user, placement=p, **d)
        return Response(TalentActionSerializer(a).data, status=status.HTTP_201_CREATED)


def _action(request, pk) -> TalentAction:
    a = TalentAction.objects.filter(pk=pk).filter(access.actions_q(request.user)).first()
    if a is None:
        raise NotFound(_("Not found."))
    return a


class ActionDetailApi(APIView):
    class TalentActionUpdateSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200, required=False)
        details = serializers.CharField(required=False, allow_blank=True)
        due_date = serializers.DateField(required=False, allow_null=True)
        version = RequiredVersion()

    @extend_schema(responses=TalentActionSerializer)
    def get(self, request, pk):
        return Response(TalentActionSerializer(_action(request, pk)).data)

    @extend_schema(request=TalentActionUpdateSerializer, responses=TalentActionSerializer)
    def patch(self, request, pk):
        a = _action(request, pk)
        ser = self.TalentActionUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        a = services.action_update(actor=request.user, action=a, expected_version=d.pop("version"), **d)
        return Response(TalentActionSerializer(a).data)


class ActionMoveApi(APIView):
    """confirm (optionally with edits), approve, release, complete or drop."""

    class TalentActionMoveSerializer(serializers.Serializer):
        move = serializers.ChoiceField(choices=[(m, m) for m in ("confirm", "approve", "release", "complete", "drop")])
        title = serializers.CharField(max_length=200, required=False)
        details = serializers.CharField(required=False, allow_blank=True)
        due_date = serializers.DateField(required=False, allow_null=True)
        version = RequiredVersion()

    @extend_schema(request=TalentActionMoveSerializer, responses=TalentActionSerializer)
    def post(self, request, pk):
        a = _action(request, pk)
        ser = self.TalentActionMoveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        a = services.action_transition(actor=request.user, action=a, move=d.pop("move"),
                                       expected_version=d.pop("version"), **d)
        return Response(TalentActionSerializer(a).data)
