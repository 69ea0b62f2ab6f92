"""The default complaint categories (seed 004 第十条, R-COMP-4); migration 0002 ships the same rows."""

from __future__ import annotations

# code, name, default department names, else to the customer's department, order
DEFAULT_CATEGORIES = [
    ("product_quality", "产品质量", "技术质检部、质检部、质量管理部、技术研发部", False, 10),
    ("service", "服务质量", "销售部、生产部", True, 20),
    ("delivery", "交付与物流", "生产部、销售部", True, 30),
    ("price_billing", "价格与结算", "销售部", True, 40),
    ("staff_conduct", "人员行为", "", True, 50),
    ("other", "其他", "", True, 90),
]


def ensure_default_categories() -> int:
    """Create the default categories that are missing (never changes an edited one); returns how many."""
    from baifang.complaints.models import ComplaintCategory

    created = 0
    for code, name, departments, to_customer_department, order in DEFAULT_CATEGORIES:
        _obj, new = ComplaintCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "department_names": departments,
                "to_customer_department": to_customer_department,
                "sort_order": order,
            },
        )
        created += new
    return created
