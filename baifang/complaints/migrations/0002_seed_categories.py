"""The complaint categories of seed 004 第十条 (R-COMP-4): 产品质量类信息归技术质检部, 服务类信息归生产部、
销售部. The receiving unit is left empty: it is found by name (``department_names``) or set in the admin."""

from django.db import migrations

CATEGORIES = [
    # code, name, department names (default), else to the customer's department, order
    ("product_quality", "产品质量", "技术质检部、质检部、质量管理部、技术研发部", False, 10),
    ("service", "服务质量", "销售部、生产部", True, 20),
    ("delivery", "交付与物流", "生产部、销售部", True, 30),
    ("price_billing", "价格与结算", "销售部", True, 40),
    ("staff_conduct", "人员行为", "", True, 50),
    ("other", "其他", "", True, 90),
]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "ComplaintCategory")
    for code, name, departments, to_customer_department, order in CATEGORIES:
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "department_names": departments,
                "to_customer_department": to_customer_department,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
