"""Shared fixtures: a small organisation built through the real services, and browser set-up."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session):
    """Compile the translation catalogs once, so Chinese pages are Chinese in every run."""
    if shutil.which("msgfmt"):
        for po in list(ROOT.glob("locale/*/LC_MESSAGES/django.po")) + list(ROOT.glob("apps/*/locale/*/LC_MESSAGES/django.po")):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                subprocess.run(["msgfmt", "-o", str(mo), str(po)], check=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in counters, throttles and cached settings never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _language_kept():
    """A test that switches language (e.g. renders in English) cannot change what the next one renders:
    the language active before the test (the site default, or a module fixture's choice) comes back."""
    from django.utils import translation

    before = translation.get_language()
    yield
    if before:
        translation.activate(before)
    else:
        translation.deactivate()


@pytest.fixture
def system_user(db):
    User = get_user_model()
    return User.objects.create_superuser("system", "system@example.com", "x")


class Org:
    """A small company: CO -> (SAL -> SAL-E), FIN, HR. Reporting: gm -> manager -> lead -> staff."""

    def __init__(self, actor):
        from apps.core.roles import EXECUTIVE_GROUP, HR_GROUP
        from apps.org import services
        from apps.org.models import ReviewFrequency

        for g in (HR_GROUP, EXECUTIVE_GROUP):
            Group.objects.get_or_create(name=g)
        self.actor = actor
        s = services
        self.level_gm = s.job_level_create(actor=actor, code="GM", name_zh="总经理", name_en="General manager", rank=1,
                                           review_frequency=ReviewFrequency.ANNUAL)
        self.level_m = s.job_level_create(actor=actor, code="M", name_zh="经理", name_en="Manager", rank=3,
                                          review_frequency=ReviewFrequency.QUARTERLY)
        self.level_s = s.job_level_create(actor=actor, code="S", name_zh="员工", name_en="Staff", rank=5,
                                          review_frequency=ReviewFrequency.MONTHLY)
        self.company = s.department_create(actor=actor, code="CO", name_zh="公司", name_en="Company")
        self.sales = s.department_create(actor=actor, code="SAL", name_zh="销售部", name_en="Sales", parent=self.company)
        self.sales_east = s.department_create(actor=actor, code="SAL-E", name_zh="华东销售处", name_en="East sales",
                                              parent=self.sales)
        self.finance = s.department_create(actor=actor, code="FIN", name_zh="财务部", name_en="Finance",
                                           parent=self.company)
        self.hr_dept = s.department_create(actor=actor, code="HR", name_zh="人力资源部", name_en="HR",
                                           parent=self.company)
        self.pos_gm = s.position_create(actor=actor, code="GM", name_zh="总经理", name_en="GM", department=self.company,
                                        job_level=self.level_gm)
        self.pos_mgr = s.position_create(actor=actor, code="SAL-M", name_zh="销售经理", name_en="Sales manager",
                                         department=self.sales, job_level=self.level_m)
        self.pos_lead = s.position_create(actor=actor, code="SAL-E-L", name_zh="主管", name_en="Lead",
                                          department=self.sales_east, job_level=self.level_m)
        self.pos_staff = s.position_create(actor=actor, code="SAL-E-S", name_zh="销售代表", name_en="Sales rep",
                                           department=self.sales_east, job_level=self.level_s)
        self.pos_fin = s.position_create(actor=actor, code="FIN-S", name_zh="会计", name_en="Accountant",
                                         department=self.finance, job_level=self.level_s)
        self.pos_hr = s.position_create(actor=actor, code="HR-M", name_zh="人事经理", name_en="HR manager",
                                        department=self.hr_dept, job_level=self.level_m)
        hire = dt.date(2024, 1, 15)

        def person(no, zh, en, dept, pos, sup, login, roles=None):
            return s.employee_create(actor=actor, employee_no=no, name_zh=zh, name_en=en, email=f"{login}@example.com",
                                     department=dept, position=pos, supervisor=sup, hire_date=hire, username=login,
                                     password="pw-Test-1234", roles=roles or [])

        self.gm = person("G1", "张总", "Boss Zhang", self.company, self.pos_gm, None, "gm", [EXECUTIVE_GROUP])
        self.manager = person("M1", "王经理", "Manager Wang", self.sales, self.pos_mgr, self.gm, "manager")
        self.lead = person("L1", "周主管", "Lead Zhou", self.sales_east, self.pos_lead, self.manager, "lead")
        self.staff = person("S1", "孙娜", "Sun Na", self.sales_east, self.pos_staff, self.lead, "staff")
        self.peer = person("S2", "李四", "Li Si", self.sales_east, self.pos_staff, self.lead, "peer")
        self.accountant = person("F1", "赵会计", "Accountant Zhao", self.finance, self.pos_fin, self.gm, "accountant")
        self.hr = person("H1", "陈人事", "HR Chen", self.hr_dept, self.pos_hr, self.gm, "hr", [HR_GROUP])

    def user(self, name):
        emp = getattr(self, name)
        user = emp.user
        user.refresh_from_db()
        for attr in ("_org_viewer", "_role_groups"):
            if hasattr(user, attr):
                delattr(user, attr)
        return user


@pytest.fixture
def org(system_user):
    return Org(system_user)


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient

    def make(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return make


# --- Playwright on Debian's Chromium (it cannot download its own browsers here) -----------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": exe,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


def pytest_collection_modifyitems(config, items):
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        skip = pytest.mark.skip(reason="Chromium is not installed (make test installs it)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def pinned_queries(django_assert_num_queries):
    """``with pinned_queries(n):`` exactly n queries (pytest-django's django_assert_num_queries); when
    the pin breaks, the failure lists every statement, numbered, so the new one is easy to find."""
    import contextlib

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextlib.contextmanager
    def pin(n):
        failure = None
        with CaptureQueriesContext(connection) as seen:
            try:
                with django_assert_num_queries(n):
                    yield seen
            except pytest.fail.Exception as exc:
                failure = exc.msg.replace(" (add -v option to show queries)", "")
        if failure:
            sql = "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(seen.captured_queries, 1))
            pytest.fail(f"{failure}:\n\n{sql}", pytrace=False)

    return pin
