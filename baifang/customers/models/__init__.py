"""The customer archive (客户档案): customers, contacts, competition, changes, hand-over, access.

One module per concern: ``archive`` (the customer, competitors), ``contacts`` (key people,
anniversaries), ``changes`` (major changes, correspondence), ``handover`` (hand-over and its notices),
``access`` (access requests and grants), ``regions`` (distribution limits by region) and
``imports`` (saved column mappings of a company's archive sheet).
"""

from baifang.customers.models.access import AccessRequest
from baifang.customers.models.archive import BOUNDED_FIELDS, MONEY_FIELDS, Competitor, Customer
from baifang.customers.models.changes import Correspondence, MajorChange
from baifang.customers.models.contacts import CONTACT_FIELDS, PERSONAL_FIELDS, Anniversary, Contact
from baifang.customers.models.handover import Handover, HandoverNotice
from baifang.customers.models.imports import ColumnMapping
from baifang.customers.models.regions import RegionDistributionLimit

__all__ = [
    "BOUNDED_FIELDS",
    "CONTACT_FIELDS",
    "PERSONAL_FIELDS",
    "MONEY_FIELDS",
    "AccessRequest",
    "Anniversary",
    "ColumnMapping",
    "Competitor",
    "Contact",
    "Correspondence",
    "Customer",
    "Handover",
    "HandoverNotice",
    "MajorChange",
    "RegionDistributionLimit",
]
