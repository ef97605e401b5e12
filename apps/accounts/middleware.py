from django.utils import translation


class UserLanguageMiddleware:
    """After authentication: a logged-in user's saved language wins over cookie and browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            pref = getattr(user, "preference", None) if hasattr(user, "preference") else None
            if pref is not None and pref.language:
                translation.activate(pref.language)
                request.LANGUAGE_CODE = pref.language
        return self.get_response(request)


class IdleSessionMiddleware:
    """Signs a browser session out after the idle timeout HR sets (``SecuritySettings``, taken at sign-in), besides the
    absolute session age (``SESSION_COOKIE_AGE``). The last activity is noted at sign-in and written again
    at most every ``SESSION_ACTIVITY_TOUCH_SECONDS``, so most requests cost no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.utils.translation import gettext as _

        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None and "_auth_user_id" in session:
            now = int(time.time())
            last = session.get("last_activity")
            minutes = int(session.get("idle_timeout_minutes") or settings.SESSION_IDLE_TIMEOUT_DEFAULT_MINUTES)
            if last is not None and now - int(last) > minutes * 60:
                logout(request)
                messages.info(request, _("You were signed out after %(minutes)s minutes without activity.")
                              % {"minutes": minutes})
            elif last is None or now - int(last) >= settings.SESSION_ACTIVITY_TOUCH_SECONDS:
                session["last_activity"] = now
        return self.get_response(request)


def note_activity_at_sign_in(sender, request, user, **kwargs) -> None:
    """Start the idle clock at sign-in with the timeout HR has set, so requests read nothing for it."""
    import time

    from .services import security_settings_get

    if getattr(request, "session", None) is not None:
        request.session["last_activity"] = int(time.time())
        request.session["idle_timeout_minutes"] = security_settings_get().idle_timeout_minutes
