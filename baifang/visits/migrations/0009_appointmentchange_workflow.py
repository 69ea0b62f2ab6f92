# The appointment's history is a core.models.StatusChange: it also keeps the transition's name and a comment.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0008_recordstatuschange_transition"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointmentchange",
            name="comment",
            field=models.TextField(blank=True, verbose_name="comment"),
        ),
        migrations.AddField(
            model_name="appointmentchange",
            name="transition",
            field=models.CharField(default="", max_length=30, verbose_name="action"),
            preserve_default=False,
        ),
    ]
