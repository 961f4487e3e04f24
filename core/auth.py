from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Log in by email (case-insensitive). Blocked and unverified accounts cannot log in."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.email_verified
