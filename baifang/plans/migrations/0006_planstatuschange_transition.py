# The plan's status history is a core.models.StatusChange: it also keeps the name of the transition.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0005_item_edited_minutes_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="planstatuschange",
            name="transition",
            field=models.CharField(default="", max_length=30, verbose_name="action"),
            preserve_default=False,
        ),
    ]
