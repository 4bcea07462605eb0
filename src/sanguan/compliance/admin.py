from django.contrib import admin

from .models import Finding, FindingEvent


class FindingEventInline(admin.TabularInline):
    model = FindingEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """Read-only: findings change through the runner and the lifecycle services, which audit."""

    list_display = [
        "id",
        "rule_code",
        "article",
        "severity",
        "status",
        "university",
        "centre",
        "last_detected_at",
        "no_longer_detected_at",
    ]
    list_filter = ["article", "severity", "status", "rule_code"]
    list_select_related = ["university", "centre"]
    search_fields = ["rule_code", "subject_id"]
    inlines = [FindingEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
