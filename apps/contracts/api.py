"""The contracts API: thin views over the same services and selectors as the pages."""
from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework import serializers as drf_serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exceptions import NotFound
from apps.core.filters import clean_query, id_field, text_field

from . import lint as contract_lint
from . import selectors, services
from .models import ContractChange, ContractTemplate, Status
from .pdf import contract_pdf
from .serializers import (
    ContractAmendInputSerializer,
    ContractChangeDecisionInputSerializer,
    ContractChangeProposeInputSerializer,
    ContractChangeSerializer,
    ContractDetailSerializer,
    ContractDraftInputSerializer,
    ContractGenerateInputSerializer,
    ContractListSerializer,
    ContractReturnInputSerializer,
    ContractTemplateDetailSerializer,
    ContractTemplateSerializer,
    ContractUpdateInputSerializer,
    ContractVersionInputSerializer,
    IndicatorInputSerializer,
    IndicatorSerializer,
    ScoringPreviewInputSerializer,
)
from .simulator import scoring_preview


def _lines(data: list) -> list[dict]:
    return [dict(line) for line in data]


def _detail(request, contract_id: int, *, status_code=status.HTTP_200_OK) -> Response:
    contract = selectors.contract_get(user=request.user, pk=contract_id)
    data = ContractDetailSerializer(contract).data
    issues = contract_lint.lint_contract(contract, list(contract.lines.all()))
    data["lint"] = [i.as_dict() for i in issues]
    data["permissions"] = sorted(services.contract_permissions(request.user, contract))
    data["party"] = services.party_of(request.user, contract)
    return Response(data, status=status_code)


# --- indicators -----------------------------------------------------------------------------------

class IndicatorListApi(generics.ListCreateAPIView):
    serializer_class = IndicatorSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.indicator_list(filters=clean_query(self.request.query_params, {
            "q": text_field(), "kpi_type": text_field(), "dimension": text_field(), "perspective": text_field(),
            "indicator_class": text_field(), "direction": text_field(), "active": text_field()}))

    @extend_schema(request=IndicatorInputSerializer, responses=IndicatorSerializer)
    def post(self, request):
        ser = IndicatorInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data.pop("version", None)
        ind = services.indicator_create(actor=request.user, **data)
        return Response(IndicatorSerializer(ind).data, status=status.HTTP_201_CREATED)


class IndicatorDetailApi(APIView):
    @extend_schema(responses=IndicatorSerializer)
    def get(self, request, pk):
        return Response(IndicatorSerializer(selectors.indicator_get(pk=pk)).data)

    @extend_schema(request=IndicatorInputSerializer, responses=IndicatorSerializer)
    def patch(self, request, pk):
        ind = selectors.indicator_get(pk=pk)
        ser = IndicatorInputSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        ind = services.indicator_update(actor=request.user, indicator=ind, expected_version=version, **data)
        return Response(IndicatorSerializer(selectors.indicator_get(pk=ind.pk)).data)


# --- templates ------------------------------------------------------------------------------------

class TemplateListApi(generics.ListCreateAPIView):
    serializer_class = ContractTemplateSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.template_list(filters=clean_query(self.request.query_params, {
            "q": text_field(), "job_level": id_field(), "include_inactive": drf_serializers.BooleanField(required=False)}))

    @extend_schema(request=ContractTemplateDetailSerializer, responses=ContractTemplateDetailSerializer)
    def post(self, request):
        ser = ContractTemplateDetailSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data.pop("version", None)
        data.pop("is_active", None)
        lines = _lines(data.pop("lines", []))
        tpl = services.template_create(actor=request.user, lines=lines, **data)
        return Response(ContractTemplateDetailSerializer(_template_out(tpl.pk)).data, status=status.HTTP_201_CREATED)


def _template_out(pk):
    return selectors.template_get(pk=pk)


class TemplateDetailApi(APIView):
    @extend_schema(responses=ContractTemplateDetailSerializer)
    def get(self, request, pk):
        return Response(ContractTemplateDetailSerializer(_template_out(pk)).data)

    @extend_schema(request=ContractTemplateDetailSerializer, responses=ContractTemplateDetailSerializer)
    def patch(self, request, pk):
        tpl = selectors.template_get(pk=pk)
        ser = ContractTemplateDetailSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        lines = _lines(data.pop("lines")) if "lines" in data else None
        services.template_update(actor=request.user, template=tpl, expected_version=version, lines=lines, **data)
        return Response(ContractTemplateDetailSerializer(_template_out(pk)).data)


class TemplateGenerateApi(APIView):
    """HR drafts the contracts of everyone the template applies to (set-based)."""

    serializer_class = ContractGenerateInputSerializer

    @extend_schema(request=ContractGenerateInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        tpl = ContractTemplate.objects.filter(pk=pk).first()
        if tpl is None:
            raise NotFound("Not found.")
        ser = ContractGenerateInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        result = services.contracts_generate(actor=request.user, template=tpl, **ser.validated_data)
        return Response(result, status=status.HTTP_201_CREATED if result["created"] else status.HTTP_200_OK)


# --- contracts ------------------------------------------------------------------------------------

class ContractListApi(generics.ListAPIView):
    """Contracts the user may read: filters q, status, period, department, job_level, template, mine
    (own / issued / to_sign), all_versions."""

    serializer_class = ContractListSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.contract_list(user=self.request.user, filters=clean_query(self.request.query_params, {
            "q": text_field(), "status": drf_serializers.ChoiceField(choices=Status.choices, required=False),
            "period": text_field(), "department": id_field(), "job_level": id_field(), "template": id_field(),
            "employee": id_field(), "mine": drf_serializers.ChoiceField(choices=["own", "issued", "to_sign"],
                                                                        required=False),
            "all_versions": drf_serializers.BooleanField(required=False)}))

    @extend_schema(request=ContractDraftInputSerializer, responses=ContractDetailSerializer)
    def post(self, request):
        ser = ContractDraftInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        template = None
        if data.get("template"):
            template = ContractTemplate.objects.filter(pk=data["template"]).first()
            if template is None:
                raise NotFound("Not found.", field="template")
        contract = services.contract_draft(actor=request.user, employee=data["employee"],
                                           period=data.get("period") or None, template=template,
                                           appraiser=data.get("appraiser"),
                                           method=data.get("method") or "top_down")
        return _detail(request, contract.pk, status_code=status.HTTP_201_CREATED)


class ContractDetailApi(APIView):
    @extend_schema(responses=ContractDetailSerializer)
    def get(self, request, pk):
        return _detail(request, pk)

    @extend_schema(request=ContractUpdateInputSerializer, responses=ContractDetailSerializer)
    def patch(self, request, pk):
        contract = selectors.contract_get(user=request.user, pk=pk)
        ser = ContractUpdateInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        lines = _lines(data.pop("lines")) if "lines" in data else None
        services.contract_update(actor=request.user, contract=contract, expected_version=version, lines=lines,
                                 **data)
        return _detail(request, pk)


class _ContractActionApi(APIView):
    input_serializer = serializer_class = ContractVersionInputSerializer

    def perform(self, request, contract, data):  # pragma: no cover - overridden
        raise NotImplementedError

    @extend_schema(responses=ContractDetailSerializer)
    def post(self, request, pk):
        contract = selectors.contract_get(user=request.user, pk=pk)
        ser = self.input_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        result = self.perform(request, contract, dict(ser.validated_data))
        return _detail(request, getattr(result, "pk", pk))


class ContractProposeApi(_ContractActionApi):
    def perform(self, request, contract, data):
        return services.contract_propose(actor=request.user, contract=contract, expected_version=data.get("version"))


class ContractWithdrawApi(_ContractActionApi):
    def perform(self, request, contract, data):
        return services.contract_withdraw(actor=request.user, contract=contract,
                                          expected_version=data.get("version"))


class ContractReturnApi(_ContractActionApi):
    input_serializer = serializer_class = ContractReturnInputSerializer

    def perform(self, request, contract, data):
        return services.contract_return(actor=request.user, contract=contract, reason=data["reason"],
                                        expected_version=data.get("version"))


class ContractSignApi(_ContractActionApi):
    """Sign (agree) as the appraisee or the appraiser; the second signature agrees the contract."""

    def perform(self, request, contract, data):
        return services.contract_sign(actor=request.user, contract=contract, expected_version=data.get("version"))


class ContractAmendApi(_ContractActionApi):
    input_serializer = serializer_class = ContractAmendInputSerializer

    def perform(self, request, contract, data):
        return services.contract_amend(actor=request.user, contract=contract, reason=data["reason"])

    @extend_schema(responses=ContractDetailSerializer)
    def post(self, request, pk):
        response = super().post(request, pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class ContractChangeProposeApi(APIView):
    @extend_schema(request=ContractChangeProposeInputSerializer, responses=ContractChangeSerializer)
    def post(self, request, pk):
        contract = selectors.contract_get(user=request.user, pk=pk)
        ser = ContractChangeProposeInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        change = services.contract_change_propose(
            actor=request.user, contract=contract, changes=[dict(c) for c in data["changes"]],
            comment=data["comment"], expected_version=data.get("version"))
        return Response(ContractChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ContractChangeSerializer(many=True))
    def get(self, request, pk):
        contract = selectors.contract_get(user=request.user, pk=pk)
        return Response(ContractChangeSerializer(selectors.contract_changes(contract), many=True).data)


def _change_for(request, pk) -> ContractChange:
    change = ContractChange.objects.select_related("proposed_by").filter(pk=pk).first()
    if change is None:
        raise NotFound("Not found.")
    selectors.contract_get(user=request.user, pk=change.contract_id)  # 404 unless readable
    return change


class ContractChangeAcceptApi(APIView):
    @extend_schema(request=ContractChangeDecisionInputSerializer, responses=ContractDetailSerializer)
    def post(self, request, pk):
        change = _change_for(request, pk)
        ser = ContractChangeDecisionInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        contract = services.contract_change_accept(actor=request.user, change=change,
                                                   expected_version=ser.validated_data.get("version"))
        return _detail(request, contract.pk)


class ContractChangeRejectApi(APIView):
    @extend_schema(request=ContractChangeDecisionInputSerializer, responses=ContractDetailSerializer)
    def post(self, request, pk):
        change = _change_for(request, pk)
        ser = ContractChangeDecisionInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        contract = services.contract_change_reject(actor=request.user, change=change,
                                                   note=ser.validated_data["note"],
                                                   expected_version=ser.validated_data.get("version"))
        return _detail(request, contract.pk)


class ContractLintApi(APIView):
    """The contract's lint: errors (block signing) and warnings (recorded at signing)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        contract = selectors.contract_get(user=request.user, pk=pk)
        issues = contract_lint.lint_contract(contract, list(contract.lines.all()))
        return Response({"errors": [i.as_dict() for i in contract_lint.errors(issues)],
                         "warnings": [i.as_dict() for i in contract_lint.warnings(issues)],
                         "can_sign": not contract_lint.errors(issues)})


class ContractVersionsApi(APIView):
    @extend_schema(responses=ContractListSerializer(many=True))
    def get(self, request, pk):
        contract = selectors.contract_get(user=request.user, pk=pk)
        return Response(ContractListSerializer(selectors.contract_versions(contract), many=True).data)


class ContractPdfApi(APIView):
    """The contract as a PDF in the user's language."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        contract = selectors.contract_get(user=request.user, pk=pk)
        pdf = contract_pdf(contract, request=request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="kpi-contract-{contract.pk}-v{contract.version_no}.pdf"'
        return response


# --- the rule simulator ---------------------------------------------------------------------------

class ScoringPreviewApi(APIView):
    """POST {"rule": {...}, "inputs": {"target": 1200, "actual": 1140}} -> score, attainment,
    explanation, and the rule's score curve (SVG) over attainment 0-200%."""

    serializer_class = ScoringPreviewInputSerializer

    @extend_schema(request=ScoringPreviewInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        ser = ScoringPreviewInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        return Response(scoring_preview(data["rule"], data["inputs"], data["curve"]))


class ScoringPreviewSlashApi(ScoringPreviewApi):
    """The same with a trailing slash (kept out of the schema: one documented path)."""

    @extend_schema(exclude=True)
    def post(self, request):
        return super().post(request)
