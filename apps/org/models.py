"""The organisation: departments (a tree), job levels, positions, employees and reporting lines.

Both trees keep a materialised path ("/1/4/9/", ids from the root down to the row itself), so
"everyone under this department / this manager" is one indexed ``LIKE 'prefix%'`` query.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel, VersionedModel
from apps.core.validators import SingleLineFieldsMixin, validate_date_span, validate_phone

from .queries import department_subtree_q

models.CharField.register_lookup(Length)


class BilingualNameMixin(SingleLineFieldsMixin):
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    single_line_fields = ("name_zh", "name_en")

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        if lang.startswith("en"):
            return self.name_en or self.name_zh
        return self.name_zh or self.name_en


class ReviewFrequency(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    HALF_YEAR = "half_year", _("Half-year")
    QUARTERLY = "quarterly", _("Quarterly")
    MONTHLY = "monthly", _("Monthly")


class JobLevel(BilingualNameMixin, TimeStampedModel):
    """Ordered job levels; each decides how often its holders are appraised (seed section 5)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the most senior level."))
    review_frequency = models.CharField(_("review frequency"), max_length=12, choices=ReviewFrequency.choices)

    class Meta:
        verbose_name = _("job level")
        verbose_name_plural = _("job levels")
        ordering = ["rank", "code"]


class Department(BilingualNameMixin, VersionedModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    parent = models.ForeignKey("self", verbose_name=_("parent department"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    head = models.ForeignKey("Employee", verbose_name=_("head"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="headed_departments")
    path = models.CharField(_("tree path"), max_length=600, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]
        indexes = [models.Index(fields=["path"], name="org_dept_path_like", opclasses=["varchar_pattern_ops"])]


class Position(BilingualNameMixin, TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                    related_name="positions")
    job_level = models.ForeignKey(JobLevel, verbose_name=_("job level"), on_delete=models.PROTECT,
                                  related_name="positions")

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["department__path", "job_level__rank", "code"]


class EmployeeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def under_department(self, department: Department):
        """Everyone in this department or any department below it: one query."""
        return self.filter(department_subtree_q(department))

    def under_manager(self, manager: Employee):
        """Everyone reporting to this manager directly or indirectly (not the manager): one query."""
        return self.filter(report_path__startswith=manager.report_path).exclude(pk=manager.pk)


class Employee(BilingualNameMixin, VersionedModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="employee")
    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="employees")
    position = models.ForeignKey(Position, verbose_name=_("position"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="employees")
    supervisor = models.ForeignKey("self", verbose_name=_("direct supervisor"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="direct_reports")
    hire_date = models.DateField(_("hire date"))
    left_date = models.DateField(_("leaving date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    report_path = models.CharField(_("reporting path"), max_length=800, db_index=True, editable=False,
                                   default="")

    objects = EmployeeQuerySet.as_manager()
    single_line_fields = ("name_zh", "name_en", "employee_no", "phone")

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["employee_no"]
        indexes = [
            models.Index(fields=["report_path"], name="org_emp_rpath_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["department", "is_active"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.employee_no})"

    @property
    def job_level(self) -> JobLevel | None:
        return self.position.job_level if self.position_id else None

    def clean(self):
        """Dates within a sensible span (hired at most a year ahead, not before 1950; leaving not before
        joining) and a phone number that is one."""
        errors: dict[str, list] = {}
        for field, value in (("hire_date", self.hire_date), ("left_date", self.left_date), ("phone", self.phone)):
            try:
                (validate_phone if field == "phone" else validate_date_span)(value)
            except ValidationError as exc:
                errors[field] = exc.error_list
        if (self.hire_date and self.left_date and "left_date" not in errors
                and isinstance(self.hire_date, dt.date) and self.left_date < self.hire_date):
            errors["left_date"] = [ValidationError(
                _("The leaving date %(left)s is before the hire date %(hired)s.")
                % {"left": self.left_date.isoformat(), "hired": self.hire_date.isoformat()})]
        if errors:
            raise ValidationError(errors)
