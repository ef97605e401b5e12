"""Reads of feedback, filtered by who may see them: requests and answers for the subject's direct
manager and HR only; the respondent sees their own open invitations (never the others' answers)."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound
from apps.core.roles import is_hr
from apps.core.worklist import WorkItem
from apps.org import access

from .models import FeedbackInvitation, FeedbackRequest, SourceKind


def may_request_feedback(user) -> bool:
    return is_hr(user) or access.is_line_manager(user)


def request_scope_q(user) -> Q:
    if is_hr(user):
        return Q()
    viewer = access.viewer_for(user)
    if not viewer.employee_id:
        return Q(pk__in=[])
    return Q(subject__supervisor_id=viewer.employee_id)


def request_list(*, user, q: str = "") -> QuerySet[FeedbackRequest]:
    qs = (FeedbackRequest.objects.filter(request_scope_q(user)).select_related("subject__department")
          .annotate(invited=Count("invitations"), answered=Count("invitations", filter=Q(
              invitations__answered_at__isnull=False))))
    if q:
        qs = qs.filter(Q(subject__name_zh__icontains=q) | Q(subject__name_en__icontains=q)
                       | Q(subject__employee_no__iexact=q) | Q(period__iexact=q))
    return qs.order_by("-created_at", "-id")


def request_get(*, user, pk) -> FeedbackRequest:
    req = FeedbackRequest.objects.filter(request_scope_q(user), pk=pk).select_related("subject").first()
    if req is None:
        raise NotFound(_("Not found."))
    return req


def answers_view(req: FeedbackRequest) -> dict:
    """The answers as the manager and HR see them: attributed by source kind (and by name, except
    upward feedback); upward feedback only as a count below the request's minimum, unattributed
    facts in a fixed order above it."""
    invitations = list(req.invitations.select_related("respondent", "answer"))
    groups: dict[str, list] = {k: [] for k in SourceKind.values}
    upward = []
    for inv in invitations:
        answer = getattr(inv, "answer", None) if inv.answered_at else None
        if answer is None:
            continue
        if inv.kind == SourceKind.SUBORDINATE:
            upward.append(answer)
        else:
            groups[inv.kind].append({"who": inv.who, "answer": answer})
    shown = len(upward) >= req.min_upward_answers
    return {
        "groups": [(SourceKind(k).label, groups[k]) for k in SourceKind.values
                   if k != SourceKind.SUBORDINATE and groups[k]],
        "upward_count": len(upward), "upward_shown": shown, "upward_minimum": req.min_upward_answers,
        "upward_facts": sorted(upward, key=lambda a: (a.what_happened, a.pk)) if shown else [],
        "invitations": [{"kind": inv.get_kind_display(), "who": ("—" if inv.kind == SourceKind.SUBORDINATE
                                                                 else inv.who),
                         "answered": bool(inv.answered_at), "expires_at": inv.expires_at} for inv in invitations],
    }


def open_invitations(user) -> QuerySet[FeedbackInvitation]:
    viewer = access.viewer_for(user)
    if not viewer.employee_id:
        return FeedbackInvitation.objects.none()
    return (FeedbackInvitation.objects.filter(respondent_id=viewer.employee_id, answered_at__isnull=True,
                                              expires_at__gte=timezone.now())
            .select_related("request__subject").order_by("expires_at", "id"))


def invitation_for_respondent(user, pk) -> FeedbackInvitation:
    inv = open_invitations(user).filter(pk=pk).first()
    if inv is None:
        raise NotFound(_("Not found."))
    return inv


def feedback_file_panel(*, user, obj):
    """On the performance file: the feedback asked about this employee, for their direct manager and HR
    only (one query; none for anyone else)."""
    from apps.core.panels import Panel

    if access.WRITE not in access.permissions(user, "coaching", obj) or access.viewer_for(user).employee_id == obj.pk:
        return None
    requests = list(FeedbackRequest.objects.filter(subject=obj).annotate(
        invited=Count("invitations"), answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False)))
        .order_by("-created_at", "-id")[:10])
    return Panel("feedback/_file_panel.html", {"feedback_requests": requests, "subject": obj}, order=50)


def feedback_work_items(user) -> list[WorkItem]:
    n = open_invitations(user).count()
    if not n:
        return []
    return [WorkItem(title=_("Feedback asked of you"), url=reverse("feedback:answer_mine"), count=n,
                     detail=_("Colleagues' performance: describe what happened, when, and its effect."))]


__all__ = ["answers_view", "feedback_file_panel", "feedback_work_items", "invitation_for_respondent", "may_request_feedback",
           "open_invitations", "request_get", "request_list", "request_scope_q"]
