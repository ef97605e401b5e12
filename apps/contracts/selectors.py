"""Reads of indicators, templates and contracts shared by pages, the API and later apps."""
from __future__ import annotations

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound
from apps.core.roles import is_hr
from apps.core.worklist import WorkItem
from apps.org import access
from apps.org.models import Department
from apps.org.queries import department_subtree_q, employee_search_q

from .models import (
    SECTION_ORDER,
    Contract,
    ContractChange,
    ContractLine,
    ContractSignature,
    ContractTemplate,
    Indicator,
    Party,
    Status,
    TemplateLine,
)
from .services import contract_permissions

SECTION_RANK = Case(*[When(section=s.value, then=Value(i)) for i, s in enumerate(SECTION_ORDER)], default=Value(9))


# --- indicators and templates (visible to everyone signed in; HR edits) --------------------------

def indicator_list(*, filters: dict | None = None) -> QuerySet[Indicator]:
    qs = Indicator.objects.select_related("default_data_source")
    f = filters or {}
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(Q(code__icontains=q) | Q(name_zh__icontains=q) | Q(name_en__icontains=q)
                       | Q(definition__icontains=q))
    for key in ("kpi_type", "dimension", "perspective", "indicator_class", "direction"):
        if f.get(key):
            qs = qs.filter(**{key: f[key]})
    active = f.get("active", "active")
    if active == "active":
        qs = qs.filter(is_active=True)
    elif active == "inactive":
        qs = qs.filter(is_active=False)
    return qs.order_by("code")


def indicator_get(*, pk) -> Indicator:
    ind = Indicator.objects.select_related("default_data_source").filter(pk=pk).first()
    if ind is None:
        raise NotFound(_("Not found."))
    return ind


def template_list(*, filters: dict | None = None) -> QuerySet[ContractTemplate]:
    qs = (ContractTemplate.objects.select_related("job_level", "position__department")
          .annotate(line_count=Count("lines")))
    f = filters or {}
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(Q(code__icontains=q) | Q(name_zh__icontains=q) | Q(name_en__icontains=q))
    if f.get("job_level"):
        qs = qs.filter(job_level=f["job_level"])
    if not f.get("include_inactive"):
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def template_get(*, pk) -> ContractTemplate:
    tpl = (ContractTemplate.objects.select_related("job_level", "position__department")
           .prefetch_related(Prefetch("lines", queryset=TemplateLine.objects.select_related(
               "indicator", "data_source").alias(section_rank=SECTION_RANK).order_by("section_rank", "order", "id")))
           .filter(pk=pk).first())
    if tpl is None:
        raise NotFound(_("Not found."))
    return tpl


# --- contracts -------------------------------------------------------------------------------------

def contract_scope_q(user) -> Q:
    """Contracts the user may read: the record policy on the appraisee, plus those they issue."""
    q = access.employee_scope_q(user, "record", prefix="employee__")
    if not q:  # an empty Q is "everything" (HR): OR-ing it would narrow it to the second condition
        return q
    viewer = access.viewer_for(user)
    if viewer.employee_id:
        q |= Q(appraiser_id=viewer.employee_id)
    return q


def _signed_by(party: str):
    return Exists(ContractSignature.objects.filter(contract=OuterRef("pk"), party=party))


def contract_list(*, user, filters: dict | None = None) -> QuerySet[Contract]:
    """The contracts the user may read (latest versions unless ``all_versions``), with what lists show."""
    f = filters or {}
    qs = (Contract.objects.filter(contract_scope_q(user))
          .select_related("employee__department", "employee__position", "appraiser", "template", "job_level")
          .annotate(line_count=Count("lines", distinct=True),
                    appraisee_signed=_signed_by(Party.APPRAISEE), appraiser_signed=_signed_by(Party.APPRAISER)))
    if not f.get("all_versions"):
        qs = qs.filter(is_latest=True)
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(employee_search_q(q, "employee__") | Q(appraiser__name_zh__icontains=q)
                       | Q(appraiser__name_en__icontains=q))
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("period"):
        qs = qs.filter(period=f["period"])
    if f.get("department"):
        dept = f["department"]
        if not isinstance(dept, Department):
            dept = Department.objects.filter(pk=dept).first()
        if dept is not None:
            qs = qs.filter(department_subtree_q(dept, "employee__department"))
    if f.get("job_level"):
        qs = qs.filter(job_level=f["job_level"])
    if f.get("template"):
        qs = qs.filter(template=f["template"])
    if f.get("employee"):
        qs = qs.filter(employee=f["employee"])
    viewer = access.viewer_for(user)
    mine = f.get("mine")
    if mine and viewer.employee_id:
        if mine == "own":
            qs = qs.filter(employee_id=viewer.employee_id)
        elif mine == "issued":
            qs = qs.filter(appraiser_id=viewer.employee_id)
        elif mine == "to_sign":
            qs = qs.filter(status=Status.PROPOSED).filter(
                Q(employee_id=viewer.employee_id, appraisee_signed=False)
                | Q(appraiser_id=viewer.employee_id, appraiser_signed=False))
    return qs.order_by("-period", "employee__employee_no", "-version_no")


def contract_get(*, user, pk) -> Contract:
    """One contract version with its lines; 404 unless the user may read it."""
    contract = (Contract.objects
                .select_related("employee__department", "employee__position__job_level", "employee__supervisor",
                                "appraiser__position", "template", "job_level", "previous", "proposed_by",
                                "returned_by")
                .prefetch_related(
                    Prefetch("lines", queryset=_line_queryset()),
                    Prefetch("signatures", queryset=ContractSignature.objects.select_related("user", "employee")),
                )
                .filter(pk=pk).first())
    if contract is None:
        raise NotFound(_("Not found."))
    if access.READ not in contract_permissions(user, contract):
        raise NotFound(_("Not found."))
    return contract


def _line_queryset():
    qs = ContractLine.objects.select_related("indicator", "data_source", "goal")
    return qs.alias(section_rank=SECTION_RANK).order_by("section_rank", "order", "id")


def contract_versions(contract: Contract) -> list[Contract]:
    """Every version of the contract's appraisee and period, newest first (one query)."""
    return list(Contract.objects.filter(employee_id=contract.employee_id, period=contract.period)
                .select_related("proposed_by").prefetch_related("signatures")
                .order_by("-version_no"))


def contract_changes(contract: Contract) -> list[ContractChange]:
    return list(ContractChange.objects.filter(contract=contract).select_related("proposed_by", "decided_by"))


def contract_in_force(*, employee, period: str) -> Contract | None:
    """The signed contract that applies to the appraisee for the period (for appraisals)."""
    return (Contract.objects.filter(employee=employee, period=period, status=Status.AGREED)
            .order_by("-version_no").first())


# --- "my work" -------------------------------------------------------------------------------------

def contract_work_items(user) -> list[WorkItem]:
    """Contracts waiting for the user's signature or action: one query, whatever the numbers."""
    viewer = access.viewer_for(user)
    if not viewer.employee_id:
        return []
    me = viewer.employee_id
    counts = (Contract.objects.filter(is_latest=True).filter(Q(employee_id=me) | Q(appraiser_id=me))
              .annotate(ee_signed=_signed_by(Party.APPRAISEE), er_signed=_signed_by(Party.APPRAISER))
              .aggregate(
                  sign_own=Count("pk", filter=Q(employee_id=me, status=Status.PROPOSED, ee_signed=False)),
                  sign_issued=Count("pk", filter=Q(appraiser_id=me, status=Status.PROPOSED, er_signed=False)),
                  drafts=Count("pk", filter=Q(appraiser_id=me, status=Status.DRAFT)),
                  returned=Count("pk", filter=Q(appraiser_id=me, status=Status.RETURNED)),
              ))
    url = reverse("contracts:list")
    items = []
    to_sign = (counts["sign_own"] or 0) + (counts["sign_issued"] or 0)
    if to_sign:
        items.append(WorkItem(title=_("KPI contracts awaiting your signature"), url=f"{url}?mine=to_sign",
                              count=to_sign))
    if counts["returned"]:
        items.append(WorkItem(title=_("KPI contracts returned to you"), url=f"{url}?mine=issued&status=returned",
                              count=counts["returned"],
                              detail=_("The appraisee returned them or proposed changes.")))
    if counts["drafts"]:
        items.append(WorkItem(title=_("Draft KPI contracts to complete and propose"),
                              url=f"{url}?mine=issued&status=draft", count=counts["drafts"]))
    return items


def may_use_simulator(user) -> bool:
    return is_hr(user) or access.is_line_manager(user)

