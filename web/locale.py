"""The site speaks a logged-in user's own language (the one their mailings'
footer is written in); visitors get Django's choice (the switcher's cookie, then
the browser's). Switching the language while logged in changes the user's."""

from django.conf import settings
from django.utils import translation
from django.views import i18n
from django.views.decorators.http import require_POST


class UserLanguageMiddleware:
    """After LocaleMiddleware and AuthenticationMiddleware: the user's language
    wins over the cookie and the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language != translation.get_language():
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


@require_POST
def set_language(request):
    """Django's switcher (cookie and redirect), and the user's language too."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
