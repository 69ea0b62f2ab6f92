"""The two industry checklists of R-VISIT-3, shipped inactive (an administrator or preset turns them on)."""

from django.db import migrations

CHECKLISTS = [
    {
        # Seed 000 "掌握拜访渠道的八大动作".
        "code": "channel-actions",
        "name": "拜访渠道八大动作",
        "items": ["走访市场", "上传下达", "库存了解", "库存管理", "信息沟通", "掌握客情", "辅导培训", "回顾总结"],
        "sort_order": 10,
    },
    {
        # Seed 003 names "七项拜访内容" without listing them; these are the usual seven of tobacco
        # customer managers. Administrators edit the items.
        "code": "tobacco-visit-contents",
        "name": "卷烟零售户七项拜访内容",
        "items": [
            "检查卷烟陈列与明码标价",
            "了解销售与库存情况",
            "传递货源与营销政策信息",
            "提供经营指导建议",
            "收集市场与竞品信息",
            "宣传法规与诚信经营",
            "听取意见、解决问题",
        ],
        "sort_order": 20,
    },
]


def add(apps, schema_editor):
    VisitChecklist = apps.get_model("visits", "VisitChecklist")
    for data in CHECKLISTS:
        VisitChecklist.objects.get_or_create(code=data["code"], defaults=data)


def remove(apps, schema_editor):
    apps.get_model("visits", "VisitChecklist").objects.filter(code__in=[c["code"] for c in CHECKLISTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0002_visit_execution")]

    operations = [migrations.RunPython(add, remove)]
