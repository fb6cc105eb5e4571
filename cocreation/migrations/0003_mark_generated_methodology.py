"""Mark the methodology PDFs the portal already generated, so that nobody replaces them by hand."""

from django.db import migrations


def mark_generated(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Evidence = apps.get_model("evidence", "Evidence")
    prioritization_type = ContentType.objects.filter(
        app_label="cocreation", model="prioritization"
    ).first()
    if prioritization_type is None:
        return
    # The portal names each methodology it generates after its prioritisation.
    for evidence in Evidence.objects.filter(
        subject_type=prioritization_type, kind="metodologia", is_public_version=False
    ).only("pk", "subject_id", "original_name"):
        if evidence.original_name == f"metodologia-priorizacion-{evidence.subject_id}.pdf":
            evidence.generated_by_portal = True
            evidence.save(update_fields=["generated_by_portal"])


class Migration(migrations.Migration):
    dependencies = [
        ("cocreation", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("evidence", "0003_evidence_generated_by_portal"),
    ]

    operations = [migrations.RunPython(mark_generated, migrations.RunPython.noop)]
