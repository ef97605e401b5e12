from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.core.worklist import items_for

from .services import user_language_set


@login_required
def home(request):
    return render(request, "accounts/home.html", {"work_items": items_for(request.user)})


@require_POST
def language_switch(request):
    """Switch the interface language; for a logged-in user it is saved and follows them."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = redirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            user_language_set(user=request.user, language=language)
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from django.conf import settings as conf
        from django.utils.translation import gettext as _

        from .sso import sso_enabled

        context = super().get_context_data(**kwargs)
        problem = self.request.GET.get("sso")
        context.update({
            "sso_enabled": sso_enabled(), "sso_required": sso_enabled() and conf.SSO_REQUIRED,
            "sso_error": {
                "error": _("Single sign-on did not work: the company's sign-in service could not be reached or "
                           "answered something we could not trust. Try again later or tell IT."),
                "unknown": _("Your company account is not linked to anyone in PerfCycle (or the account is "
                             "switched off). Ask HR to check your e-mail address or employee number."),
            }.get(problem or "", "") if sso_enabled() else "",
        })
        return context

    def post(self, request, *args, **kwargs):
        from django.utils.translation import gettext as _

        from .security import address_blocked_for, client_ip
        from .sso import password_login_allowed

        if not password_login_allowed(request.POST.get("username", "")):
            form = self.get_form()
            form.add_error(None, _("Your company signs in with single sign-on: use the button below."))
            return self.render_to_response(self.get_context_data(form=form, sso_password_refused=True))

        wait = address_blocked_for(client_ip(request))
        if wait:
            return render(request, "accounts/locked_out.html", {
                "message": _("Too many failed sign-ins from your network. Try again in %(minutes)s minutes.")
                % {"minutes": max(1, round(wait / 60))}}, status=429)
        return super().post(request, *args, **kwargs)


@login_required
def security_settings(request):
    """HR: the idle timeout of browser sessions."""
    from django.contrib import messages
    from django.http import Http404
    from django.utils.translation import gettext as _

    from apps.core.forms import run_service
    from apps.core.roles import is_hr

    from .forms import SecuritySettingsForm
    from .services import security_settings_get, security_settings_update

    if not is_hr(request.user):
        raise Http404
    current = security_settings_get()
    form = SecuritySettingsForm(request.POST or None, initial={
        "idle_timeout_minutes": current.idle_timeout_minutes, "version": current.version})
    if request.method == "POST" and form.is_valid() and run_service(form, lambda: security_settings_update(
            actor=request.user, idle_timeout_minutes=form.cleaned_data["idle_timeout_minutes"],
            expected_version=form.cleaned_data["version"])):
        messages.success(request, _("Saved: browser sessions sign out after %(minutes)s minutes without "
                                    "activity.") % {"minutes": form.cleaned_data["idle_timeout_minutes"]})
        return redirect("accounts:security")
    return render(request, "accounts/security.html", {"form": form, "current": current})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        from django.contrib import messages
        from django.utils.translation import gettext as _

        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


def sso_login(request):
    """Start single sign-on (OpenID Connect): off unless OIDC_ENABLED."""
    from django.http import Http404
    from mozilla_django_oidc.views import OIDCAuthenticationRequestView

    from .sso import sso_enabled

    if not sso_enabled():
        raise Http404
    return OIDCAuthenticationRequestView.as_view()(request)


def sso_callback(request):
    from django.http import Http404

    from .sso import SSOCallbackView, sso_enabled

    if not sso_enabled():
        raise Http404
    return SSOCallbackView.as_view()(request)
