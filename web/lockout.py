from django.http import HttpResponse

from core.services.accounts.login import lockout_message


def lockout_response(request, original_response, credentials):
    """django-axes calls this for a locked-out log-in (AXES_LOCKOUT_CALLABLE).
    Our log-in page already answers with the form and the lockout message
    (status 429) and keeps that answer; other log-in forms (the admin site)
    get the message as plain text."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    return HttpResponse(lockout_message(), status=429, content_type="text/plain; charset=utf-8")
