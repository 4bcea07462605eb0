from django.contrib import admin

from .models import Sanction


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    """Read-only: sanctions are issued and lifted through the services, which audit them."""

    list_display = ["id", "kind", "university", "major", "starts_on", "ends_on", "limit", "lifted_at"]
    list_filter = ["kind"]
    list_select_related = ["university", "major"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
