"""Reactions to the appraisal workflow (apps.appraisals.signals), connected in ``InterviewsConfig.ready``."""
from __future__ import annotations


def on_appraisal_published(sender, appraisal, actor=None, **kwargs) -> None:
    """Publication makes the feedback interview due (inside the publishing transaction)."""
    from .services import interview_make_due

    interview_make_due(appraisal=appraisal, actor=actor)
