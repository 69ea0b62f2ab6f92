# The record's status history is a core.models.StatusChange: it also keeps the name of the transition.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0007_touch_count_state_and_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="recordstatuschange",
            name="transition",
            field=models.CharField(default="", max_length=30, verbose_name="action"),
            preserve_default=False,
        ),
    ]
