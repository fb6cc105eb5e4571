"""The portal's roles, as the design names them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrador", _("Administración INAI")
    REVIEWER = "revisor", _("Revisión CPGAT")
    MEMBER = "integrante", _("Integrante del STL")
    FACILITATOR = "facilitador", _("Persona facilitadora")
    PUBLIC = "publico", _("Público")


# Group names (stable identifiers; their display names come from Role labels).
ADMINISTRATOR_GROUP = "inai-administradores"
REVIEWER_GROUP = "cpgat-revisores"

# Model permissions of each INAI group; later apps add theirs here and in a data migration.
GROUP_PERMISSIONS = {
    ADMINISTRATOR_GROUP: [
        "pal_portal.view_user",
        "pal_portal.add_user",
        "pal_portal.change_user",
        "stl.view_secretariat",
        "stl.add_secretariat",
        "stl.change_secretariat",
        "stl.view_nucleus",
        "stl.add_nucleus",
        "stl.change_nucleus",
        "stl.view_member",
        "stl.add_member",
        "stl.change_member",
        "stl.view_facilitatorassignment",
        "stl.add_facilitatorassignment",
        "stl.change_facilitatorassignment",
        "stl.view_invitation",
        "stl.add_invitation",
        # The evidence vault is read-only in the admin; it changes only through its services.
        "evidence.view_evidence",
        "evidence.view_evidenceevent",
        "evidence.view_evidenceexport",
        "evidence.view_integritycheck",
    ],
    REVIEWER_GROUP: [
        "stl.view_secretariat",
        "stl.view_nucleus",
        "stl.view_member",
        "stl.view_facilitatorassignment",
        "stl.review_secretariat",
    ],
}


def sync_groups(**kwargs) -> None:
    """Create the INAI groups and give them exactly their model permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for group_name, perms in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
