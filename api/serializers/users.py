"""Users as managers see them, and blocking one."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.fields import StrictFieldsMixin
from core import roles
from core.models import User


class BlockSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("Shown to the user when their log-in is refused, and in the users list."),
    )


class UserSerializer(serializers.ModelSerializer):
    mailings_count = serializers.IntegerField(read_only=True)
    active_mailings_count = serializers.IntegerField(read_only=True, help_text=_("Of them, enabled."))
    is_manager = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_active", "block_reason", "is_manager", "is_superuser", "date_joined"]
        fields += ["mailings_count", "active_mailings_count"]
        read_only_fields = fields

    def get_is_manager(self, obj) -> bool:
        return roles.role_of(obj) == roles.MANAGER
