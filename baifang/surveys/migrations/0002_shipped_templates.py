"""Ship the seed templates as data (R-SURV-1): seed 004's owner survey and its reply letter's 15 items,
the return visits after a repair or complaint, seed 000's check after a visit, the 汽修 half-yearly sample."""

from django.db import migrations


def forwards(apps, schema_editor):
    from baifang.surveys.presets import load_templates

    load_templates(apps.get_model("surveys", "SurveyTemplate"), apps.get_model("surveys", "SurveyItem"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
