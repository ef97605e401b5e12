from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.forms import run_service
from apps.core.roles import is_hr

from .calendar import calendar_feed_ics
from .forms import ChatWebhookForm, PolicyForm, PreferenceForm
from .links import absolute_url
from .models import AREAS
from .selectors import chat_delivery_failures, notification_list, shared_chat_webhooks
from .services import (
    calendar_feed_current,
    calendar_feed_rotate,
    calendar_feed_user,
    chat_delivery_requeue,
    chat_webhook_create,
    chat_webhook_update,
    chat_webhooks_sync_env,
    notification_mark_read,
    notification_policy_get,
    notification_policy_update,
    notification_preference_get,
    notification_preference_update,
)


@login_required
def notification_inbox(request):
    page = Paginator(notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
@login_required
def notification_read_all(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:inbox")


@login_required
def notification_settings(request):
    """Each person: e-mail and chat on or off, which shared robots, quiet hours, digest."""
    chat_webhooks_sync_env()
    pref = notification_preference_get(user=request.user)
    initial = {"version": pref.version, "email": pref.email, "chat": pref.chat, "quiet_start": pref.quiet_start,
               "quiet_end": pref.quiet_end, "digest": pref.digest,
               "chat_webhooks": list(pref.chat_webhooks.all()) if pref.pk else
               [h for h in shared_chat_webhooks() if h.is_default]}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and run_service(form, lambda: notification_preference_update(
            actor=request.user, email=form.cleaned_data["email"], chat=form.cleaned_data["chat"],
            chat_webhook_ids=[h.pk for h in form.cleaned_data["chat_webhooks"]],
            quiet_start=form.cleaned_data["quiet_start"], quiet_end=form.cleaned_data["quiet_end"],
            digest=form.cleaned_data["digest"], expected_version=form.cleaned_data["version"])):
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    policy = notification_policy_get()
    blocked = [(label, ch) for area, label in AREAS for ch in ("email", "chat") if not policy.allows(area, ch)]
    feed = calendar_feed_current(user=request.user)
    feed_url = absolute_url(reverse("notifications:calendar_feed", args=[feed.token])) if feed else ""
    return render(request, "notifications/settings.html", {"form": form, "blocked": blocked,
                                                           "is_hr": is_hr(request.user), "feed_url": feed_url})


@require_POST
@login_required
def calendar_feed_change(request):
    """A new private calendar address (the old one stops working), or none."""
    enable = request.POST.get("action") != "off"
    calendar_feed_rotate(actor=request.user, enable=enable)
    messages.success(request, _("Your calendar address is new: subscribe to it again in your calendar.") if enable
                     else _("Your calendar address is switched off."))
    return redirect("notifications:settings")


def calendar_feed(request, token: str):
    """The feed itself: no sign-in (calendar apps cannot), the secret in the URL; unknown or revoked = 404."""
    from django.http import HttpResponse

    user = calendar_feed_user(token=token)
    if user is None:
        raise Http404
    body = calendar_feed_ics(user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def notification_hr_settings(request, robot_form=None):
    """HR: which areas may go out by e-mail and by chat, the default digest, the robots, the failures."""
    if not is_hr(request.user):
        raise Http404
    chat_webhooks_sync_env()
    policy = notification_policy_get()
    initial = {"version": policy.version, "default_digest": policy.default_digest}
    for area, _label in AREAS:
        initial[f"{area}_email"] = policy.allows(area, "email")
        initial[f"{area}_chat"] = policy.allows(area, "chat")
    posted = request.method == "POST" and robot_form is None
    form = PolicyForm(request.POST if posted else None, initial=initial)
    if posted and form.is_valid() and run_service(form, lambda: notification_policy_update(
            actor=request.user, rules=form.rules(), default_digest=form.cleaned_data["default_digest"],
            expected_version=form.cleaned_data["version"])):
        messages.success(request, _("The notification defaults are saved."))
        return redirect("notifications:hr_settings")
    failures = Paginator(chat_delivery_failures(), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/hr_settings.html", {
        "form": form, "robots": shared_chat_webhooks(include_inactive=True), "page": failures,
        "robot_form": robot_form or ChatWebhookForm()})


@require_POST
@login_required
def chat_webhook_add(request):
    if not is_hr(request.user):
        raise Http404
    form = ChatWebhookForm(request.POST)
    if form.is_valid() and run_service(form, lambda: chat_webhook_create(actor=request.user, **form.cleaned_data)):
        messages.success(request, _("The chat robot is added."))
        return redirect("notifications:hr_settings")
    return notification_hr_settings(request, robot_form=form)


@require_POST
@login_required
def chat_webhook_switch(request, pk: int):
    from apps.core.exceptions import ApplicationError

    if not is_hr(request.user) or not shared_chat_webhooks(include_inactive=True).filter(pk=pk).exists():
        raise Http404
    try:
        chat_webhook_update(actor=request.user, webhook_id=pk, is_active=request.POST.get("is_active") == "1",
                            is_default=request.POST.get("is_default") == "1",
                            expected_version=int(request.POST.get("version") or 0) or None)
    except (ApplicationError, ValueError) as e:
        messages.error(request, getattr(e, "message", str(e)))
    return redirect("notifications:hr_settings")


@require_POST
@login_required
def chat_delivery_retry(request, pk: int):
    if not is_hr(request.user):
        raise Http404
    if not chat_delivery_failures().filter(pk=pk).exists():
        raise Http404
    chat_delivery_requeue(actor=request.user, delivery_id=pk)
    messages.success(request, _("The message is queued to be sent again."))
    return redirect("notifications:hr_settings")
