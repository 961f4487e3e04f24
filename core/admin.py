from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import (
    Attempt,
    Client,
    ClientList,
    ListMember,
    Mailing,
    MailingRecipient,
    MailingTarget,
    Message,
    OutboxEmail,
    User,
)
from core.placeholders import validate_placeholders
from core.validators import validate_in_service_years


class CheckedForm(forms.ModelForm):
    """Runs on its fields the checks the API runs on them: the admin saves
    without the services, yet what it saves must send and schedule."""

    checks: dict = {}

    def clean(self):
        cleaned = super().clean()
        for name, check in self.checks.items():
            if cleaned.get(name):
                try:
                    check(cleaned[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class MessageAdminForm(CheckedForm):
    checks = {"subject": validate_placeholders, "body": validate_placeholders}


class MailingAdminForm(CheckedForm):
    checks = {"start_at": validate_in_service_years, "end_at": validate_in_service_years}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "time_zone", "is_active", "is_staff", "email_verified_at", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "time_zone", "language"]}),
        (_("Status"), {"fields": ["is_active", "email_verified_at"]}),
        (_("Permissions"), {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "owner", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["email", "full_name", "comment", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    form = MessageAdminForm
    list_display = ["subject", "owner", "created_at"]
    search_fields = ["subject", "body", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


class RecipientInline(admin.TabularInline):
    model = MailingRecipient
    raw_id_fields = ["client"]
    extra = 0


class TargetInline(admin.TabularInline):
    model = MailingTarget
    raw_id_fields = ["client_list"]
    extra = 0


class MemberInline(admin.TabularInline):
    model = ListMember
    raw_id_fields = ["client"]
    readonly_fields = ["added_at"]
    extra = 0


@admin.register(ClientList)
class ClientListAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    search_fields = ["name", "description", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    inlines = [MemberInline]


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    form = MailingAdminForm
    list_display = ["id", "message", "owner", "periodicity", "status", "is_active", "start_at", "next_run_at"]
    list_filter = ["status", "periodicity", "is_active"]
    search_fields = ["message__subject", "owner__email"]
    list_select_related = ["owner", "message"]
    raw_id_fields = ["owner", "message"]
    readonly_fields = ["status", "next_run_at", "last_run_at", "created_at", "updated_at"]
    date_hierarchy = "start_at"
    inlines = [RecipientInline, TargetInline]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["id", "mailing", "client", "run_at", "status", "tries", "attempted_at", "smtp_code"]
    list_filter = ["status", "run_at"]
    search_fields = ["client__email", "mailing__message__subject", "server_response"]
    list_select_related = ["client", "mailing__message"]
    raw_id_fields = ["mailing", "client"]
    date_hierarchy = "run_at"


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """Read only: the outbox is written by the services and sent by core/outbox.py
    (`manage.py outbox --retry` queues given-up emails again)."""

    list_display = ["id", "kind", "recipient", "status", "tries", "created_at", "last_tried_at", "reason"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "reason"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
