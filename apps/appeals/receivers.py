"""Reactions to lower apps' events, connected in ``AppealsConfig.ready``."""
from __future__ import annotations


def on_interview_signed(sender, appraisal, signed_at, disagreement=False, **kwargs) -> None:
    """The signed interview may open (or extend) the appraisal's appeal window."""
    from .services import interview_signed_record

    interview_signed_record(appraisal=appraisal, signed_at=signed_at, disagreement=disagreement)
