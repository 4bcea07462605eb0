"""The log as system administrators browse it: read-only, payload shown beside the leaf."""

from __future__ import annotations

from django.contrib import admin

from sanguan.core.admin_mixins import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("leaf_index", "recorded_at", "actor", "action", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("=leaf_index", "action", "=target_id")
    ordering = ("-leaf_index",)
    show_full_result_count = False  # counting a large log on every page is wasted work
