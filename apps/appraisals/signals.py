"""Events of the appraisal workflow that higher apps (interviews, appeals, results, pay) act on.

Appraisals sit below those apps and may not import them; they subscribe to these signals in their
``AppConfig.ready()``. Signals are sent inside the publishing transaction, so a receiver's writes
(an interview made due, a flag raised) commit or roll back together with the event.
"""
from django.dispatch import Signal

# A published appraisal: kwargs ``appraisal`` (locked row, status published) and ``actor`` (None for the
# deadlines engine). Sent once per appraisal, when it moves to published.
appraisal_published = Signal()

# A published appraisal's result changed after publication (e.g. an upheld appeal): kwargs ``appraisal``,
# ``actor``, ``reason`` (text) and ``before`` (dict with the old ``total_score`` and ``grade``).
appraisal_result_corrected = Signal()

# The feedback interview on a published appraisal was signed by the employee (interviews sends it;
# appeals, on the same layer, may not import interviews and listens here): kwargs ``appraisal``,
# ``signed_at`` (aware datetime) and ``disagreement`` (bool: signed with disagreement noted).
interview_signed = Signal()
