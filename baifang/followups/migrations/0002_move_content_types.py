"""Content types, permissions and audit rows of the moved models now name followups (issue 11).

The content type rows are renamed, not replaced, so every permission grant (``auth_permission`` points
at the content type), admin log entry and generic relation keeps pointing at the same row; audit rows
name their object as ``app_label.model`` and are renamed with them. Reversible.
"""

from django.db import migrations

MODELS = ("appointment", "appointmentchange", "openquestion", "commitment")


def _move(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditLog = apps.get_model("core", "AuditLog")
    for model in MODELS:
        moving = ContentType.objects.filter(app_label=old, model=model).first()
        if moving is None:  # a fresh database: post_migrate creates the content type under its new label
            continue
        # post_migrate may already have made an empty content type under the new label (a run that
        # stopped halfway); the grants hang on the old row, so that one wins.
        ContentType.objects.filter(app_label=new, model=model).delete()
        moving.app_label = new
        moving.save(update_fields=["app_label"])
        AuditLog.objects.filter(object_type=f"{old}.{model}").update(object_type=f"{new}.{model}")


def forwards(apps, schema_editor):
    _move(apps, "visits", "followups")


def backwards(apps, schema_editor):
    _move(apps, "followups", "visits")


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0003_audit_sign_in_actions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
