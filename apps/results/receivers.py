"""Reactions to the appraisal workflow (apps.appraisals.signals), connected in ``ResultsConfig.ready``."""
from __future__ import annotations


def on_result_corrected(sender, appraisal, actor=None, **kwargs) -> None:
    """A published result changed after publication (an upheld appeal): the person's cell moves."""
    from .services import placements_recompute_for

    placements_recompute_for(appraisal=appraisal, actor=actor)


def on_appraisal_published(sender, appraisal, actor=None, **kwargs) -> None:
    """A result published after the review opened (a late appraisal of the cycle): the person is placed."""
    from .services import placements_recompute_for

    placements_recompute_for(appraisal=appraisal, actor=actor)
