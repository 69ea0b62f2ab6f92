"""The purposes of R-PLAN-1 as data (administrators may add, rename or deactivate them)."""

from django.db import migrations

PURPOSES = [
    ("needs", "了解需求", "Learn needs"),
    ("sell", "推销产品", "Sell products"),
    ("solve", "解决问题", "Solve a problem"),
    ("collect", "收款", "Collect payment"),
    ("new_product", "新品推广", "Promote a new product"),
    ("relationship", "客情维护", "Maintain the relationship"),
    ("complaint", "投诉处理", "Handle a complaint"),
    ("other", "其他", "Other"),
]


def create(apps, schema_editor):
    PlanPurpose = apps.get_model("plans", "PlanPurpose")
    for order, (code, name, name_en) in enumerate(PURPOSES):
        PlanPurpose.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order})


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
