from django.contrib import admin

from sanguan.core.admin_mixins import ReadOnlyAdmin

from .models import Authority, CentreFiling, LearningCentre, Major, Province, University


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Authority)
class AuthorityAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "province"]
    list_filter = ["kind"]
    search_fields = ["name"]


class MajorInline(admin.TabularInline):
    model = Major
    extra = 0
    fields = ["catalogue_code", "name", "level", "track", "is_active"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(University)
class UniversityAdmin(ReadOnlyAdmin):
    list_display = ["name", "institution_code", "institution_id", "province", "is_pilot"]
    list_filter = ["is_pilot", "province"]
    search_fields = ["name", "institution_code", "institution_id"]
    inlines = [MajorInline]


@admin.register(Major)
class MajorAdmin(ReadOnlyAdmin):
    list_display = ["name", "catalogue_code", "level", "track", "university", "is_active"]
    list_filter = ["level", "track", "is_active"]
    search_fields = ["name", "catalogue_code", "university__name"]
    list_select_related = ["university"]


class FilingInline(admin.TabularInline):
    model = CentreFiling
    extra = 0
    fields = ["cycle_year", "province", "filed_status", "decision", "submitted_on", "decided_on", "valid_until"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LearningCentre)
class LearningCentreAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "university", "host_province", "kind", "track", "status", "is_disclosed"]
    list_filter = ["status", "kind", "track", "is_disclosed", "host_province"]
    search_fields = ["code", "name", "city", "host_org_name", "host_org_uscc", "university__name"]
    list_select_related = ["university", "host_province"]
    inlines = [FilingInline]


@admin.register(CentreFiling)
class CentreFilingAdmin(ReadOnlyAdmin):
    list_display = ["centre", "cycle_year", "province", "filed_status", "decision", "valid_until"]
    list_filter = ["decision", "filed_status", "cycle_year", "province"]
    search_fields = ["centre__name", "centre__code"]
    list_select_related = ["centre", "province"]
