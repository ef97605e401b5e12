"""The feedback API: thin, the same services and selectors as the pages. Requests and answers are
the direct manager's and HR's only (404 for anyone else); a respondent lists and answers their own
invitations. External customers answer through their link page, not the API."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.org.models import Employee

from . import selectors, services
from .models import MAX_TEXT, SourceKind


class FeedbackRequestOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    subject = serializers.IntegerField(source="subject_id")
    subject_name = serializers.CharField(source="subject.name")
    period = serializers.CharField()
    closes_on = serializers.DateField()
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()


class FeedbackFactOutput(serializers.Serializer):
    who = serializers.CharField()
    what_happened = serializers.CharField(source="answer.what_happened")
    when = serializers.CharField(source="answer.when")
    effect = serializers.CharField(source="answer.effect")


class FeedbackKindGroupOutput(serializers.Serializer):
    source = serializers.CharField()
    answers = FeedbackFactOutput(many=True)


class FeedbackUpwardOutput(serializers.Serializer):
    count = serializers.IntegerField()
    minimum = serializers.IntegerField()
    shown = serializers.BooleanField()
    facts = serializers.ListField(child=serializers.CharField(), help_text="Unattributed; empty below the minimum.")


class FeedbackRequestDetailOutput(serializers.Serializer):
    id = serializers.IntegerField()
    subject_name = serializers.CharField()
    period = serializers.CharField()
    groups = FeedbackKindGroupOutput(many=True)
    upward = FeedbackUpwardOutput()


class FeedbackRequestListApi(ListAPIView):
    """GET: the requests the user may read (the direct manager's, HR's all). POST: invite."""

    class FeedbackRequestCreateInput(serializers.Serializer):
        subject = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all())
        period = serializers.CharField(max_length=7)
        closes_on = serializers.DateField()
        message = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
        peers = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), many=True, required=False)
        subordinates = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), many=True, required=False)
        managers = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), many=True, required=False)
        externals = serializers.ListField(child=serializers.DictField(child=serializers.CharField(max_length=254)),
                                          required=False, max_length=services.MAX_INVITATIONS,
                                          help_text='[{"name": "...", "email": "..."}]')

    serializer_class = FeedbackRequestOutput
    filter_backends = []

    def get_queryset(self):
        return selectors.request_list(user=self.request.user, q=(self.request.query_params.get("q") or "").strip())

    @extend_schema(request=FeedbackRequestCreateInput, responses=FeedbackRequestOutput)
    def post(self, request):
        ser = self.FeedbackRequestCreateInput(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        colleagues = ([(SourceKind.PEER, e) for e in d.get("peers", [])]
                      + [(SourceKind.SUBORDINATE, e) for e in d.get("subordinates", [])]
                      + [(SourceKind.MANAGER, e) for e in d.get("managers", [])])
        req = services.feedback_request_create(
            actor=request.user, subject=d["subject"], period=d["period"], closes_on=d["closes_on"],
            message=d.get("message", ""), colleagues=colleagues,
            externals=[(x.get("name", ""), x.get("email", "")) for x in d.get("externals", [])])
        return Response(FeedbackRequestOutput(selectors.request_list(user=request.user).get(pk=req.pk)).data,
                        status=status.HTTP_201_CREATED)


class FeedbackRequestDetailApi(APIView):
    @extend_schema(responses=FeedbackRequestDetailOutput)
    def get(self, request, pk):
        req = selectors.request_get(user=request.user, pk=pk)
        view = selectors.answers_view(req)
        data = {"id": req.pk, "subject_name": req.subject.name, "period": req.period,
                "groups": [{"source": str(label), "answers": items} for label, items in view["groups"]],
                "upward": {"count": view["upward_count"], "minimum": view["upward_minimum"],
                           "shown": view["upward_shown"], "facts": [a.what_happened for a in view["upward_facts"]]}}
        return Response(FeedbackRequestDetailOutput(data).data)


class FeedbackInvitationOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    subject_name = serializers.CharField(source="request.subject.name")
    period = serializers.CharField(source="request.period")
    closes_on = serializers.DateField(source="request.closes_on")


class FeedbackAskedListApi(ListAPIView):
    """The invitations waiting for the user's answer."""

    serializer_class = FeedbackInvitationOutput
    filter_backends = []

    def get_queryset(self):
        return selectors.open_invitations(self.request.user)


class FeedbackAnswerApi(APIView):
    class FeedbackAnswerInput(serializers.Serializer):
        what_happened = serializers.CharField(max_length=MAX_TEXT)
        when = serializers.CharField(max_length=120, required=False, allow_blank=True)
        effect = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)

    @extend_schema(request=FeedbackAnswerInput, responses={201: None})
    def post(self, request, pk):
        inv = selectors.invitation_for_respondent(request.user, pk)  # NotFound -> 404
        ser = self.FeedbackAnswerInput(data=request.data)
        ser.is_valid(raise_exception=True)
        services.feedback_answer(actor=request.user, invitation=inv, **ser.validated_data)
        return Response(status=status.HTTP_201_CREATED)
