"""Read-only admin views of the vault for INAI staff; every change goes through the services."""

from django.contrib import admin

from evidence.models import Evidence, EvidenceEvent, EvidenceExport, IntegrityCheck
from pal_portal.admin import ReadOnlyAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "secretariat", "kind", "phase", "uploaded_by", "uploaded_at"]
    list_filter = ["phase", "kind", "contains_personal_data"]
    list_select_related = ["secretariat", "uploaded_by"]
    search_fields = ["original_name", "description", "sha256"]
    exclude = ["file"]


@admin.register(EvidenceEvent)
class EvidenceEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "user", "secretariat", "evidence", "ip_address"]
    list_filter = ["action"]
    list_select_related = ["user", "secretariat", "evidence"]


@admin.register(EvidenceExport)
class EvidenceExportAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "secretariat", "requested_by", "finished_at", "done", "total"]
    list_select_related = ["secretariat", "requested_by"]
    exclude = ["file"]


@admin.register(IntegrityCheck)
class IntegrityCheckAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "checked", "missing", "altered"]
