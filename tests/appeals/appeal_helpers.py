"""Shared set-up of the appeals tests: published appraisals made through the real services."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))

from appraisal_helpers import appraisal_of, direct_entries, enter_actuals, line, open_cycle, sign  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from apps.appraisals import services as appraisal_services  # noqa: E402

__all__ = ["appraisal_of", "line", "open_cycle", "sign", "publish", "pdf_file"]


def publish(org, appraisal, sales="1140"):
    enter_actuals(org, appraisal, sales=sales)
    a = appraisal_services.appraisal_verify(actor=org.user("hr"), appraisal=appraisal)
    emp_user = a.employee.user
    for attr in ("_org_viewer", "_role_groups"):
        if hasattr(emp_user, attr):
            delattr(emp_user, attr)
    a = appraisal_services.appraisal_self_assess(actor=emp_user, appraisal=a, comment="完成", submit=True,
                                                 lines=direct_entries(a, ["85", "90"]))
    a = appraisal_services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="良好", submit=True,
                                                   lines=direct_entries(a, ["80", "90"]))
    return appraisal_services.appraisal_publish(actor=org.user("hr"), appraisal=a)


def pdf_file(name="台账.pdf", size=None):
    body = b"%PDF-1.4\n" + b"x" * ((size or 100) - 9)
    return SimpleUploadedFile(name, body, content_type="application/pdf")
