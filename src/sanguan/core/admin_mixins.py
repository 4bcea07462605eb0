"""Admin pages are for looking, not for changing records: every change of record goes
through a service, which checks the policy and writes its audit event. A form in the
admin would bypass both, so the registry models are shown read-only there."""

from __future__ import annotations

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
