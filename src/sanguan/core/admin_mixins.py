"""Admin pages are for looking, not for changing records: every change of record goes
through a service, which checks the policy and writes its audit event. A form in the
admin would bypass both, so the registry models are shown read-only there."""

from __future__ import annotations

from django.contrib import admin

from sanguan.accounts import policy


def is_system_admin(request) -> bool:
    """The admin site is the system administrators' (the role, not Django's permission flags)."""
    return request.user.is_active and request.user.is_staff and (
        request.user.is_superuser or policy.can(request.user, "accounts.manage_users"))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return is_system_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
