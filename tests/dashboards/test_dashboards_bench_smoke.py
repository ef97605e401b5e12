"""CI smoke of the issue-6 benchmark (`make bench` runs it at 100,000): the whole suite at ~500 people
prints every figure and ends with the ratios line."""
import argparse
import re

import pytest

from bench import rollup

pytestmark = pytest.mark.django_db


def test_the_rollup_suite_runs_at_a_small_size_and_ends_with_the_ratios(capsys):
    args = argparse.Namespace(employees=500, small=50, repeat=1, dashboard_repeat=2, in_process=True,
                              skip_appraisals_bench=False, clean=False)
    result = rollup.run(args)
    out = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"rollup_vs_sql=\d+\.\d\d dashboard_100k_vs_1k=\d+\.\d\d", out[-1]), out[-1]
    text = "\n".join(out)
    for figure in ("cycle opening", "full roll-up", "hand-written single SQL", "roll-up / SQL", "dashboard at",
                   "roll-up peak memory"):
        assert figure in text, figure
    assert result["appraisals"] == 500 and result["lines"] == 3000
    assert result["dashboard_queries"][0] == result["dashboard_queries"][1]
    assert result["dashboard_status"] == (200, 200)
    assert result["appraisals_bench"]["appraisals"] == 500
