"""The demo organisation of `manage.py seed_demo`: about 60 people in three levels of departments.

Idempotent: every row is looked up by its code or employee number first, so running it twice
creates nothing twice. Later apps add their own demo data through ``DEMO_HOOKS``.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from apps.core.roles import EXECUTIVE_GROUP, HR_GROUP

from . import services
from .models import Department, Employee, JobLevel, Position, ReviewFrequency

DEMO_PASSWORD = "demo-pass-2026"

JOB_LEVELS = [
    ("GM", "总经理", "General manager", 1, ReviewFrequency.ANNUAL),
    ("VP", "副总经理", "Vice president", 2, ReviewFrequency.HALF_YEAR),
    ("M", "经理", "Manager", 3, ReviewFrequency.QUARTERLY),
    ("AM", "经理助理", "Manager assistant", 4, ReviewFrequency.QUARTERLY),
    ("S", "员工", "Staff", 5, ReviewFrequency.MONTHLY),
]

# code, Chinese, English, parent code
DEPARTMENTS = [
    ("CO", "华信制造有限公司", "Huaxin Manufacturing Co.", None),
    ("GMO", "总经理办公室", "General Manager's Office", "CO"),
    ("SAL", "销售部", "Sales", "CO"),
    ("SAL-E", "华东销售处", "East China Sales Section", "SAL"),
    ("SAL-S", "华南销售处", "South China Sales Section", "SAL"),
    ("FIN", "财务部", "Finance", "CO"),
    ("HR", "人力资源部", "Human Resources", "CO"),
    ("PRD", "生产部", "Production", "CO"),
    ("PRD-1", "一车间", "Workshop 1", "PRD"),
    ("PRD-2", "二车间", "Workshop 2", "PRD"),
]

SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun")]
GIVEN = [("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("强", "Qiang"),
         ("磊", "Lei"), ("洋", "Yang"), ("艳", "Yan"), ("勇", "Yong"), ("军", "Jun"), ("杰", "Jie"),
         ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("霞", "Xia"), ("平", "Ping"), ("刚", "Gang")]

# Named people: employee no, zh, en, department, position code, supervisor no, login, roles
NAMED = [
    ("E0001", "张三丰", "Zhang Sanfeng", "GMO", "GMO-GM", None, "gm", [EXECUTIVE_GROUP]),
    ("E0002", "李明", "Li Ming", "GMO", "GMO-VP", "E0001", "vp", [EXECUTIVE_GROUP]),
    ("E0003", "王芳", "Wang Fang", "SAL", "SAL-M", "E0002", "manager", []),
    ("E0004", "赵强", "Zhao Qiang", "FIN", "FIN-M", "E0002", "finance", []),
    ("E0005", "陈静", "Chen Jing", "HR", "HR-M", "E0001", "hr", [HR_GROUP]),
    ("E0006", "刘洋", "Liu Yang", "PRD", "PRD-M", "E0002", None, []),
    ("E0007", "周敏", "Zhou Min", "SAL-E", "SAL-E-AM", "E0003", "assistant", []),
    ("E0008", "吴磊", "Wu Lei", "SAL-S", "SAL-S-AM", "E0003", None, []),
    ("E0009", "孙娜", "Sun Na", "SAL-E", "SAL-E-S", "E0007", "employee", []),
    ("E0010", "徐杰", "Xu Jie", "PRD-1", "PRD-1-AM", "E0006", None, []),
    ("E0011", "黄涛", "Huang Tao", "PRD-2", "PRD-2-AM", "E0006", None, []),
    ("E0012", "杨霞", "Yang Xia", "HR", "HR-S", "E0005", "hr2", [HR_GROUP]),
]

POSITIONS = [
    ("GMO-GM", "总经理", "General manager", "GMO", "GM"),
    ("GMO-VP", "副总经理", "Vice president", "GMO", "VP"),
    ("SAL-M", "销售部经理", "Sales manager", "SAL", "M"),
    ("SAL-E-AM", "华东销售主管", "East sales supervisor", "SAL-E", "AM"),
    ("SAL-S-AM", "华南销售主管", "South sales supervisor", "SAL-S", "AM"),
    ("SAL-E-S", "销售代表", "Sales representative", "SAL-E", "S"),
    ("SAL-S-S", "销售代表", "Sales representative", "SAL-S", "S"),
    ("FIN-M", "财务部经理", "Finance manager", "FIN", "M"),
    ("FIN-S", "会计", "Accountant", "FIN", "S"),
    ("HR-M", "人力资源经理", "HR manager", "HR", "M"),
    ("HR-S", "人事专员", "HR specialist", "HR", "S"),
    ("PRD-M", "生产部经理", "Production manager", "PRD", "M"),
    ("PRD-1-AM", "一车间主任", "Workshop 1 supervisor", "PRD-1", "AM"),
    ("PRD-2-AM", "二车间主任", "Workshop 2 supervisor", "PRD-2", "AM"),
    ("PRD-1-S", "操作工", "Operator", "PRD-1", "S"),
    ("PRD-2-S", "操作工", "Operator", "PRD-2", "S"),
]

# Generated staff: department, position, supervisor no, how many
STAFF = [("SAL-E", "SAL-E-S", "E0007", 9), ("SAL-S", "SAL-S-S", "E0008", 10), ("FIN", "FIN-S", "E0004", 5),
         ("HR", "HR-S", "E0005", 3), ("PRD-1", "PRD-1-S", "E0010", 11), ("PRD-2", "PRD-2-S", "E0011", 10)]

DEMO_HOOKS: list = []  # later apps append callables(actor) that add their demo data idempotently


def _system_actor():
    User = get_user_model()
    admin, created = User.objects.get_or_create(username="admin", defaults={"is_staff": True, "is_superuser": True,
                                                                            "email": "admin@perfcycle.local"})
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    return admin


@transaction.atomic
def seed_demo_organisation() -> dict:
    actor = _system_actor()
    for name in (HR_GROUP, EXECUTIVE_GROUP):
        Group.objects.get_or_create(name=name)
    levels = {}
    for code, zh, en, rank, freq in JOB_LEVELS:
        levels[code] = JobLevel.objects.filter(code=code).first() or services.job_level_create(
            actor=actor, code=code, name_zh=zh, name_en=en, rank=rank, review_frequency=freq)
    depts = {}
    for code, zh, en, parent in DEPARTMENTS:
        depts[code] = Department.objects.filter(code=code).first() or services.department_create(
            actor=actor, code=code, name_zh=zh, name_en=en, parent=depts.get(parent))
    positions = {}
    for code, zh, en, dept, level in POSITIONS:
        positions[code] = Position.objects.filter(code=code).first() or services.position_create(
            actor=actor, code=code, name_zh=zh, name_en=en, department=depts[dept], job_level=levels[level])
    people = {}
    hire = dt.date(2020, 3, 1)
    for no, zh, en, dept, pos, sup, login, roles in NAMED:
        emp = Employee.objects.filter(employee_no=no).first()
        if emp is None:
            login = login or no.lower()  # everybody can log in; the named logins are the ones to try
            emp = services.employee_create(
                actor=actor, employee_no=no, name_zh=zh, name_en=en, email=f"{login}@perfcycle.local",
                department=depts[dept], position=positions[pos], supervisor=people.get(sup), hire_date=hire,
                username=login, password=DEMO_PASSWORD, roles=roles)
        people[no] = emp
    n = 13
    for dept, pos, sup, count in STAFF:
        for _i in range(count):
            no = f"E{n:04d}"
            s_zh, s_en = SURNAMES[n % len(SURNAMES)]
            g_zh, g_en = GIVEN[(n * 7) % len(GIVEN)]
            emp = Employee.objects.filter(employee_no=no).first() or services.employee_create(
                actor=actor, employee_no=no, name_zh=s_zh + g_zh, name_en=f"{s_en} {g_en}",
                email=f"{no.lower()}@perfcycle.local", department=depts[dept], position=positions[pos],
                supervisor=people[sup], hire_date=hire + dt.timedelta(days=37 * n),
                username=no.lower(), password=DEMO_PASSWORD)
            people[no] = emp
            n += 1
    heads = {"GMO": "E0001", "SAL": "E0003", "FIN": "E0004", "HR": "E0005", "PRD": "E0006", "SAL-E": "E0007",
             "SAL-S": "E0008", "PRD-1": "E0010", "PRD-2": "E0011", "CO": "E0001"}
    for code, no in heads.items():
        if depts[code].head_id is None:
            services.department_update(actor=actor, department=depts[code], head=people[no])
    for hook in DEMO_HOOKS:
        hook(actor)
    return {"departments": len(depts), "employees": Employee.objects.count()}


DEMO_LOGINS = [
    ("gm", "executive / 总经理 (GM)"),
    ("hr", "HR / 人力资源经理"),
    ("manager", "line manager / 销售部经理"),
    ("assistant", "line manager / 华东销售主管"),
    ("employee", "employee / 销售代表"),
    ("finance", "data source (财务部) / 财务部经理"),
]
