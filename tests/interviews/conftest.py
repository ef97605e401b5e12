"""Fixtures of the interviews tests: a signed interview (with two actions and two revisions) for 孙娜 (staff),
held by her lead, on a published appraisal of 2026-11."""
import pytest
from interview_helpers import appraisal_of, interview_of, make_signed, open_cycle, publish, sign


@pytest.fixture
def cycle(org):
    sign(org, org.staff)
    sign(org, org.peer)
    return open_cycle(org)


@pytest.fixture
def due_interview(org, cycle):
    publish(org, appraisal_of(org.staff, cycle))
    return interview_of(org.staff)


@pytest.fixture
def signed_interview(org, due_interview):
    return make_signed(org, due_interview)
