"""Pages: HR's cycles, the appraisal (also "my appraisal"), the manager's team, the data owner's actuals,
calibration. Thin: forms validate, the services decide, domain errors land on the form or as a message.

One module per page area (``cycles``, ``appraisals``, ``team``, ``actuals``, ``calibration``) on
``common``; the URLs name the views re-exported here."""
from .actuals import (
    actuals,
    actuals_upload,
    line_actual,
    line_return,
    upload_apply,
    upload_detail,
    upload_template,
)
from .appraisals import (
    appraisal_detail,
    appraisal_form_pdf,
    appraisal_list,
    appraisal_publish,
    appraisal_verify,
    home,
    manager_score,
    my_appraisal,
    self_assess,
)
from .calibration import (
    calibrate_grade,
    calibration,
    calibration_home,
    calibration_override,
    calibration_quotas,
    results_export,
)
from .cycles import (
    blocker_remind,
    blockers_remind_all,
    cycle_blockers_recheck,
    cycle_detail,
    cycle_new,
    cycle_open,
    cycle_publish,
    cycle_verify,
    cycles,
    schedule,
)
from .printing import cycle_print
from .team import team

__all__ = [
    "actuals", "actuals_upload", "appraisal_detail", "appraisal_form_pdf", "appraisal_list", "appraisal_publish", "appraisal_verify",
    "blocker_remind", "blockers_remind_all", "calibrate_grade", "calibration", "calibration_home",
    "calibration_override", "calibration_quotas", "cycle_blockers_recheck", "cycle_detail", "cycle_new",
    "cycle_open", "cycle_print", "cycle_publish", "cycle_verify", "cycles", "home", "line_actual", "line_return", "manager_score",
    "my_appraisal", "results_export", "schedule", "self_assess", "team", "upload_apply", "upload_detail", "upload_template",
]
