"""The addresses in the mail we send: a recipient's unsubscribe page and a
tracked mailing's links and open image. No login; the signed token is the only
key. The root URLconf includes these as they are, and the dispatcher makes its
links from this URLconf alone (settings.MAIL_URLCONF, core.mail_links)."""

from django.urls import path

from web import tracking, unsubscribe

urlpatterns = [
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/resubscribe/", unsubscribe.resubscribe, name="resubscribe"),
    path("r/<str:token>/", tracking.follow_link, name="tracked-link"),
    path("o/<str:token>.gif", tracking.open_image, name="tracked-open"),
]
