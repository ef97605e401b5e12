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
