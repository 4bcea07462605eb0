from django.contrib import admin

from sanguan.core.admin_mixins import ReadOnlyAdmin

from .models import ApiToken, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["role", "authority", "province", "university", "centre", "is_active", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login", "date_joined"]
    list_filter = ["is_active", "is_staff", "memberships__role"]
    search_fields = ["username", "display_name"]
    fields = ["username", "display_name", "is_active", "is_staff", "is_superuser", "last_login", "date_joined"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "province", "university", "centre", "is_active"]
    list_filter = ["role", "is_active", "province"]
    search_fields = ["user__username", "user__display_name", "university__name", "centre__name"]
    list_select_related = ["user", "province", "university", "centre"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    exclude = ["digest"]
