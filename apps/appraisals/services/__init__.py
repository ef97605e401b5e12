"""Every write to cycles and appraisals: in a transaction, on locked rows, checked, audited.

One module per workflow stage, on one package-internal kernel (imports run one way only:
``kernel`` <- the stage modules <- this package; nothing here imports ``apps.appraisals.tasks``,
which queues by name through ``kernel.queue_task``):

- ``cycles``: create, change and open cycles, the blockers' reminders, the routine schedule;
- ``opening``: create a cycle's appraisals set-based, batch by batch; the schedule's opening;
- ``actuals``: enter an actual, return a line for re-collection;
- ``uploads``: actuals from an Excel or CSV file (check first, then write all or nothing);
- ``verification``: verify one appraisal or every complete one, scoring the engine lines;
- ``scoring``: self-assessment and manager scoring, the total and the grade;
- ``calibration``: confirm or move grades, grade quotas and HR's override;
- ``publication``: publish one appraisal or a cycle (or department);
- ``corrections``: correct a published result (an upheld appeal), keeping the history;
- ``printing``: batch printing of appraisal forms (a core DocumentJob of kind ``appraisals.forms``);
- ``deadlines``: the engine that reminds, flags and advances at each stage's deadline;
- ``kernel``: locks, the transition tables, save, audit snapshots, counters, notifications.

Other apps and the tests call ``from apps.appraisals import services`` and
``services.appraisal_publish(...)``: every public service is re-exported here.
"""
from ..models import STAGE_ORDER
from .actuals import actual_matches, line_actual_set, line_return, parse_actual
from .calibration import (
    appraisal_calibration_confirm,
    appraisal_grade_calibrate,
    cycle_quota_override,
    cycle_quotas_set,
)
from .corrections import appraisal_result_correct, result_snapshot
from .cycles import (
    blocker_remind,
    blockers_remind_all,
    cycle_create,
    cycle_open,
    cycle_update,
    schedule_update,
)
from .deadlines import advance_one, deadlines_scan
from .kernel import (
    AUDIT_APPRAISAL_FIELDS,
    AUDIT_LINE_FIELDS,
    LINE_SCORE_FIELDS,
    appraisal_url,
    data_owner_user_ids,
    hr_user_ids,
    notify,
    recount,
    recount_scope,
)
from .opening import (
    cycle_open_and_populate,
    cycle_open_start,
    cycle_populate,
    cycle_recheck_blockers,
    population_count,
    scheduled_cycles_open,
)
from .printing import appraisal_forms_batch
from .publication import appraisal_publish, can_publish, cycle_publish
from .scoring import appraisal_manager_score, appraisal_self_assess, line_score_set
from .uploads import actuals_upload_apply, actuals_upload_preview, template_csv
from .verification import (
    appraisal_verify,
    appraisals_verify_complete,
    can_verify,
    cycle_rescore_verified_lines,
    cycle_verify_complete,
    verify_batch,
)

__all__ = [
    "AUDIT_APPRAISAL_FIELDS", "AUDIT_LINE_FIELDS", "LINE_SCORE_FIELDS", "STAGE_ORDER",
    "actual_matches", "actuals_upload_apply", "actuals_upload_preview", "advance_one", "appraisal_calibration_confirm",
    "appraisal_forms_batch",
    "appraisal_grade_calibrate", "appraisal_manager_score", "appraisal_publish", "appraisal_result_correct", "appraisal_self_assess",
    "appraisal_url", "appraisal_verify", "appraisals_verify_complete", "blocker_remind", "blockers_remind_all",
    "can_publish", "can_verify", "cycle_create", "cycle_open", "cycle_open_and_populate", "cycle_open_start", "cycle_populate", "cycle_publish",
    "cycle_quota_override", "cycle_quotas_set", "cycle_recheck_blockers", "cycle_rescore_verified_lines",
    "cycle_update", "cycle_verify_complete", "data_owner_user_ids", "deadlines_scan", "hr_user_ids",
    "line_actual_set", "line_return", "line_score_set", "notify", "parse_actual", "population_count", "recount",
    "recount_scope", "result_snapshot",
    "schedule_update", "scheduled_cycles_open", "template_csv", "verify_batch",
]
