import pytest
from appeal_helpers import appraisal_of, open_cycle, publish, sign


@pytest.fixture
def published(org):
    """孙娜 (staff) and 李四 (peer), both of 华东销售处, published for 2026-11 (sales 1140 and 1200)."""
    sign(org, org.staff)
    sign(org, org.peer)
    cycle = open_cycle(org)
    staff = publish(org, appraisal_of(org.staff, cycle), sales="1140")
    peer = publish(org, appraisal_of(org.peer, cycle), sales="1200")
    return staff, peer
