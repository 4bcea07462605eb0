from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: operators look at what was sent and why an e-mail failed."""

    list_display = ("pk", "recipient", "kind", "created_at", "read_at", "email_status", "email_sent_at")
    list_filter = ("kind", "email_status")
    search_fields = ("recipient__username", "kind")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
