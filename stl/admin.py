from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pal_portal.admin import ReadOnlyAdminMixin
from stl.models import FacilitatorAssignment, Member, Nucleus, Secretariat


class NucleusInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Nucleus
    extra = 0


@admin.register(Secretariat)
class SecretariatAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "installation_date", "status", "is_public"]
    list_filter = ["status", "is_public", "state"]
    inlines = [NucleusInline]


@admin.register(Member)
class MemberAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["user", "nucleus", "secretariat", "organisation", "is_active"]
    list_filter = ["secretariat"]
    list_select_related = ["user", "nucleus", "secretariat"]
    search_fields = ["user__email", "user__full_name", "organisation"]


@admin.register(FacilitatorAssignment)
class FacilitatorAssignmentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["user", "secretariat", "assigned_at", "is_active"]
    list_select_related = ["user", "secretariat"]
