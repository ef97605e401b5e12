import pytest
from pay_helpers import COEFFICIENTS, make_finance, published_cycle, set_pay

from apps.pay import services


@pytest.fixture(autouse=True)
def english():
    """Service messages are asserted in English; the pages test the Chinese catalog."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def finance(org):
    return make_finance(org)


@pytest.fixture
def cycle(org):
    """孙娜 graded A, 李四 graded C; both published."""
    return published_cycle(org, {org.staff: "A", org.peer: "C"})


@pytest.fixture
def paid_cycle(org, cycle):
    set_pay(org, org.staff, "3000.00", "10000.00", ("8000", "10000", "12000"))
    set_pay(org, org.peer, "2555.55", "9000.00", ("8000", "10000", "12000"))
    services.coefficients_set(actor=org.user("hr"), cycle=cycle, coefficients=COEFFICIENTS)
    return cycle
