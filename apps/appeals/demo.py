"""Demo data of the appeals app (a hook of ``apps.org.demo.DEMO_HOOKS``, after the appraisals' and the
interviews' hooks). Idempotent: appeals are seeded only while none exists.

Three published results are appealed to show each stage: one filed and waiting for triage, one in review
with a question to the manager that the manager answered, one partly upheld with the contested actual
corrected through the appraisals' correction service. A colleague raises one concern for HR.
"""
from __future__ import annotations

from apps.appraisals.models import DATA_KINDS, Appraisal
from apps.appraisals.models import Status as AppraisalStatus
from apps.core.roles import HR_GROUP

from . import services
from .models import Appeal, Concern


def _user(emp):
    user = emp.user
    for attr in ("_org_viewer", "_role_groups"):
        if hasattr(user, attr):
            delattr(user, attr)
    return user


def seed_demo_appeals(actor) -> dict:
    from django.contrib.auth import get_user_model

    if Appeal.objects.exists():
        return {"appeals": Appeal.objects.count(), "made": 0}
    hr = get_user_model().objects.filter(groups__name=HR_GROUP, is_active=True).order_by("pk").first()
    if hr is None:
        return {"appeals": 0, "made": 0}
    rows = [a for a in (Appraisal.objects.filter(status=AppraisalStatus.PUBLISHED, employee__user__isnull=False,
                                                 appraiser__user__isnull=False)
                        .select_related("employee__user", "appraiser__user", "cycle").order_by("employee__employee_no"))
            if services.window_closes(a) is not None][:3]
    made = 0
    for n, a in enumerate(rows):
        line = a.lines.filter(rule_kind__in=list(DATA_KINDS)).order_by("section", "order", "pk").first() or \
            a.lines.order_by("section", "order", "pk").first()
        if line is None:
            continue
        appeal = services.appeal_file(actor=_user(a.employee), appraisal=a, lines=[line.pk],
                                      reasons="财务台账漏记了月底签约的一笔订单，实际完成值高于公布值。附合同扫描件为证。",
                                      outcome_asked="按更正后的实际值重新计分。")
        made += 1
        if n == 0:
            continue
        appeal = services.appeal_triage(actor=hr, appeal=appeal, accept=True)
        req = services.info_request(actor=hr, appeal=appeal, addressee="manager", question="请确认该笔订单是否在考核期内签约。",
                                    shared_with_manager="员工认为销售额漏记了一笔月底签约的订单。")
        services.info_answer(actor=_user(a.appraiser), request=req, answer="已核实：订单于考核期最后一天签约，确属漏记。")
        if n == 1:
            continue
        appeal.refresh_from_db()
        value = line.target if line.target is not None else None
        corrections = [{"id": line.pk, "actual": str(value)}] if line.needs_data and value is not None else []
        services.appeal_decide(actor=hr, appeal=appeal, outcome="partly" if corrections else "rejected",
                               reasons="订单属实，按合同金额更正实际值；其余诉求不予支持。" if corrections else "证据不足。",
                               lines=corrections)
    if not Concern.objects.exists() and rows:
        a = rows[0]
        colleague = (a.employee.__class__.objects.filter(department_id=a.employee.department_id, is_active=True,
                                                         user__isnull=False).exclude(pk=a.employee_id)
                     .order_by("employee_no").first())
        if colleague is not None:
            services.concern_raise(actor=_user(colleague), appraisal=a,
                                   reasons="该同事本月销售额中包含一笔已退货的订单，结果可能偏高。")
    return {"appeals": Appeal.objects.count(), "made": made}
