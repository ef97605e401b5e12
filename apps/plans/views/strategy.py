"""Pages of the strategy, its themes and the annual business plans (HR and executives edit)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError
from apps.core.forms import run_service

from .. import selectors, services
from ..forms import AnnualPlanForm, StrategyForm, ThemeForm
from ..models import AnnualPlan, StrategicTheme, Strategy
from .common import is_planner

# --- strategy and annual plans --------------------------------------------------------------------

@login_required
def strategy(request):
    strategies = list(selectors.strategy_list())
    return render(request, "plans/strategy.html", {
        "strategies": strategies, "annual_plans": selectors.annual_plan_list(), "can_edit": is_planner(request.user),
    })


def _simple_form(request, *, form, title, back, call, success):
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: call(form.cleaned_data)) is not None:
            messages.success(request, success)
            return redirect(back)
    return render(request, "plans/simple_form.html", {"form": form, "title": title, "back": back})


def _planner_only(request):
    if not is_planner(request.user):
        raise Http404


@login_required
def strategy_new(request):
    _planner_only(request)
    form = StrategyForm(request.POST or None, initial={"start_year": timezone.localdate().year,
                                                        "end_year": timezone.localdate().year + 2})

    def call(cd):
        cd = {k: v for k, v in cd.items() if k != "version"}
        return services.strategy_create(actor=request.user, **cd)

    return _simple_form(request, form=form, title=_("New strategy"), back=reverse("plans:strategy"), call=call,
                        success=_("Saved."))


@login_required
def strategy_edit(request, pk):
    _planner_only(request)
    obj = Strategy.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    initial = {f: getattr(obj, f) for f in ("code", "name_zh", "name_en", "start_year", "end_year", "description",
                                            "version")}
    form = StrategyForm(request.POST or None, initial=initial)

    def call(cd):
        version = cd.pop("version", None)
        return services.strategy_update(actor=request.user, strategy=obj, expected_version=version, **cd)

    return _simple_form(request, form=form, title=_("Edit strategy"), back=reverse("plans:strategy"), call=call,
                        success=_("Saved."))


@login_required
def theme_new(request, strategy_pk):
    _planner_only(request)
    obj = Strategy.objects.filter(pk=strategy_pk).first()
    if obj is None:
        raise Http404
    form = ThemeForm(request.POST or None)

    def call(cd):
        cd = {k: v for k, v in cd.items() if k != "version"}
        cd["order"] = cd.get("order") or 0
        return services.theme_create(actor=request.user, strategy=obj, **cd)

    return _simple_form(request, form=form, title=_("New theme of %(strategy)s") % {"strategy": obj.name},
                        back=reverse("plans:strategy"), call=call, success=_("Saved."))


@login_required
def theme_edit(request, pk):
    _planner_only(request)
    obj = StrategicTheme.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    initial = {f: getattr(obj, f) for f in ("name_zh", "name_en", "perspective", "order", "description", "version")}
    form = ThemeForm(request.POST or None, initial=initial)

    def call(cd):
        version = cd.pop("version", None)
        cd["order"] = cd.get("order") or 0
        return services.theme_update(actor=request.user, theme=obj, expected_version=version, **cd)

    return _simple_form(request, form=form, title=_("Edit theme"), back=reverse("plans:strategy"), call=call,
                        success=_("Saved."))


@login_required
def annual_plan_new(request):
    _planner_only(request)
    form = AnnualPlanForm(request.POST or None, initial={"year": timezone.localdate().year,
                                                          "strategy": Strategy.objects.filter(is_active=True).first()})

    def call(cd):
        cd = {k: v for k, v in cd.items() if k != "version"}
        return services.annual_plan_create(actor=request.user, **cd)

    return _simple_form(request, form=form, title=_("New annual business plan"), back=reverse("plans:strategy"),
                        call=call, success=_("Saved."))


@login_required
def annual_plan_edit(request, pk):
    _planner_only(request)
    obj = AnnualPlan.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    initial = {f: getattr(obj, f) for f in ("year", "strategy", "name_zh", "name_en", "summary", "version")}
    form = AnnualPlanForm(request.POST or None, initial=initial)
    form.fields["year"].disabled = True

    def call(cd):
        version = cd.pop("version", None)
        cd.pop("year", None)
        return services.annual_plan_update(actor=request.user, annual_plan=obj, expected_version=version, **cd)

    return _simple_form(request, form=form, title=_("Edit annual business plan"), back=reverse("plans:strategy"),
                        call=call, success=_("Saved."))



# --- archiving, with a confirmation page ------------------------------------------------------------

_ARCHIVABLE = {
    "strategy": (Strategy, "strategy_archive", "strategy", lambda o: not o.is_active),
    "theme": (StrategicTheme, "theme_archive", "theme", lambda o: o.is_archived),
    "annual": (AnnualPlan, "annual_plan_archive", "annual_plan", lambda o: o.is_archived),
}


@login_required
def archive(request, kind, pk):
    """Archive or restore a strategy, a theme or an annual plan: a page asks to confirm (GET), the
    POST (with the version shown) does it; a stale version is refused with the reason."""
    _planner_only(request)
    if kind not in _ARCHIVABLE:
        raise Http404
    model, service_name, arg, is_archived = _ARCHIVABLE[kind]
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    restoring = is_archived(obj)
    back = reverse("plans:strategy")
    error = ""
    if request.method == "POST":
        try:
            getattr(services, service_name)(actor=request.user, archived=not restoring,
                                            expected_version=request.POST.get("version") or None, **{arg: obj})
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Restored.") if restoring else _("Archived."))
            return redirect(back)
    status = 409 if error else 200
    return render(request, "plans/archive_confirm.html", {
        "obj": obj, "restoring": restoring, "back": back, "error": error, "kind": kind,
    }, status=status)
