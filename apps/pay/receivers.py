from . import services


def on_result_corrected(sender=None, *, appraisal, **kwargs):
    """A published result changed (an upheld appeal): the run that paid it needs a correction run."""
    services.mark_needs_correction(appraisal=appraisal)
