"""Demo and scale data: a Hangzhou trading company, its people and its customer archive.

Two layers:

* **pure generation** — :func:`plan_org` and :func:`iter_customers` return plain data (dataclasses,
  dicts of field values), deterministic for a seed (each stream has its own ``random.Random``;
  the global RNG is never touched) and independent of the database;
* **writing** — :func:`write_demo` bulk-inserts that data in batches inside one transaction,
  bypassing per-row services (and so django-simple-history) for speed.

Rules shown by the data: R-ORG-1/2 (tree, positions as data), R-ORG-4 (personas of every data
scope), R-ARCH-1/2 (archive fields, contacts with solar and lunar birthdays), R-ARCH-5 (on-time,
late and pending registrations), R-ARCH-6 (important customers with and without a second knower).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from baifang.core.calendar.engine import WorkdayCalendar
from baifang.core.validators import CREDIT_CODE_CHARS, credit_code_check_char
from baifang.customers.normalize import normalize_name
from baifang.demo import names as W

DEMO_PASSWORD = "demo12345"
COMPANY_NAME = "杭州和丰商贸有限公司"
REGISTRATION_WORKDAYS = 5
BATCH_SIZE = 5000
# Above this many customers the contacts per customer drop to 1–2 to keep scale runs short.
SCALE_THRESHOLD = 50_000
BEIJING = ZoneInfo("Asia/Shanghai")

# (code, name, kind) — positions are data (R-ORG-2); kinds are baifang.org.choices.PositionKind.
POSITIONS = (
    ("leader", "公司经理", "leader"),
    ("deputy_leader", "分管副经理", "deputy_leader"),
    ("dept_manager", "部门经理", "dept_manager"),
    ("supervisor", "主管", "supervisor"),
    ("field_rep", "驻点营销员", "field_rep"),
    ("market_staff", "市场专员", "market_staff"),
    ("cs_assistant", "客服助理", "cs_assistant"),
    ("finance", "财务专员", "finance"),
    ("admin", "系统管理员", "admin"),
)

# username → (display name, Chinese description, English description); printed after a run.
PERSONAS = {
    "admin": ("系统管理员", "系统管理员（超级用户）", "administrator (superuser)"),
    "leader": ("陈建华", "公司经理，看全公司", "company leader, sees everything"),
    "deputy": ("王志强", "分管副经理，看全公司", "deputy leader, sees everything"),
    "market": ("林晓燕", "市场部市场专员，管理客户档案", "market staff, owns the archive"),
    "manager": ("刘德明", "营销一部部门经理，看本部门", "manager of sales dept 1, sees the dept"),
    "supervisor": ("周文辉", "西湖一组主管，看本组", "supervisor of rep's team (西湖一组), sees the team"),
    "rep": ("张伟", "西湖一组驻点营销员，看自己的客户", "field rep in 西湖一组 (dept 1), sees own customers"),
    "rep2": ("李娜", "西湖一组驻点营销员，rep 的同组同事", "field rep, rep's teammate"),
    "outsider": ("黄俊峰", "营销二部驻点营销员（其他部门）", "field rep in sales dept 2 (other dept)"),
    "cs": ("赵丽娟", "客户服务部客服助理", "customer-service assistant"),
    "finance": ("孙敏", "财务部财务专员", "finance staff"),
}


# --- plain data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitPlan:
    code: str  # OrgUnit.code (unique slug); also the key users refer to
    name: str
    kind: str  # baifang.org.choices.UnitKind value
    parent: str | None
    sort_order: int
    districts: tuple[int, ...] = ()  # indexes into names.DISTRICTS (sales units)


@dataclass(frozen=True)
class UserPlan:
    username: str
    display_name: str
    phone: str
    unit: str  # UnitPlan.code
    position: str  # POSITIONS code
    is_superuser: bool = False
    district: int | None = None  # field reps: the district of their territory
    centre: tuple[float, float] | None = None  # field reps: (lat, lng) of their territory, GCJ-02


@dataclass(frozen=True)
class OrgPlan:
    units: tuple[UnitPlan, ...]
    users: tuple[UserPlan, ...]

    @property
    def reps(self) -> tuple[UserPlan, ...]:
        return tuple(u for u in self.users if u.position == "field_rep")


@dataclass
class CustomerRecord:
    """One customer with its contacts and related rows, as plain values (no model instances)."""

    index: int  # 1-based position in the stream; the customer's code is KH{index:07d}
    fields: dict
    owner: str  # username
    co_owners: tuple[str, ...] = ()
    contacts: list[dict] = field(default_factory=list)
    competitors: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------------


def _weighted(rng: random.Random, options):
    """Pick from ``((value, weight), ...)``."""
    total = sum(w for _, w in options)
    x = rng.random() * total
    for value, weight in options:
        x -= weight
        if x < 0:
            return value
    return options[-1][0]


_SURNAME_WEIGHTS = [1.0 / (1 + i / 8) for i in range(len(W.SURNAMES))]


def _person_name(rng: random.Random) -> str:
    surname = rng.choices(W.SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    given = rng.choice(W.GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(W.GIVEN_CHARS)
    return surname + given


def _unique_person_name(rng: random.Random, used: set[str]) -> str:
    for _ in range(50):
        name = _person_name(rng)
        if name not in used:
            used.add(name)
            return name
    n = 2
    while f"{name}{n}" in used:
        n += 1
    used.add(f"{name}{n}")
    return f"{name}{n}"


_MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 173 175 176 177 180 181 182 183 185 186 187 188 189 191 198 199"
).split()


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _unique(rng: random.Random, used: set[str], make: Callable[[random.Random], str]) -> str:
    while True:
        value = make(rng)
        if value not in used:
            used.add(value)
            return value


def _credit_code(rng: random.Random, prefix: str, division: str) -> str:
    """A unified social credit code with a correct check character (GB 32100-2015)."""
    body = prefix + division + "".join(rng.choice(CREDIT_CODE_CHARS[:10]) for _ in range(2))
    body += "".join(rng.choice(CREDIT_CODE_CHARS) for _ in range(17 - len(body)))
    return body + credit_code_check_char(body)


def _jitter(rng: random.Random, lat: float, lng: float, km: float) -> tuple[float, float]:
    """A point around (lat, lng) with a gaussian spread of ``km`` (capped at three sigma)."""
    dlat = max(-3.0, min(3.0, rng.gauss(0, 1))) * km / 111.0
    dlng = max(-3.0, min(3.0, rng.gauss(0, 1))) * km / (111.0 * math.cos(math.radians(lat)))
    return lat + dlat, lng + dlng


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (1 ≤ n ≤ 99)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "") if n >= 10 else digits[n]


# --- organisation (R-ORG-1, R-ORG-2) ---------------------------------------------------------


def plan_org(reps: int, seed: int = 1) -> OrgPlan:
    """The company tree, positions and people for ``reps`` field reps (at least 3)."""
    if reps < 3:
        raise ValueError("At least 3 reps are needed (rep, rep2 and outsider).")
    rng = random.Random(f"{seed}:org")
    used_names = {display for display, _, _ in PERSONAS.values()}
    used_phones: set[str] = set()

    units = [
        UnitPlan("hq", COMPANY_NAME, "company", None, 0),
        UnitPlan("leadership", "公司领导", "leadership", "hq", 1),
        UnitPlan("market", "市场部", "market", "hq", 2),
        UnitPlan("customer-service", "客户服务部", "customer_service", "hq", 3),
        UnitPlan("finance", "财务部", "finance", "hq", 4),
    ]
    users: list[UserPlan] = []

    def person(username: str, unit: str, position: str, **extra) -> UserPlan:
        display = PERSONAS[username][0] if username in PERSONAS else _unique_person_name(rng, used_names)
        plan = UserPlan(username, display, _unique(rng, used_phones, _mobile), unit, position, **extra)
        users.append(plan)
        return plan

    person("admin", "hq", "admin", is_superuser=True)
    person("leader", "leadership", "leader")
    person("deputy", "leadership", "deputy_leader")
    person("market", "market", "market_staff")
    person("market2", "market", "market_staff")
    person("cs", "customer-service", "cs_assistant")
    person("finance", "finance", "finance")

    n_depts = max(2, min(len(W.DISTRICTS), round(reps / 80)))
    with_teams = reps > 10
    per_dept = [reps // n_depts + (1 if d < reps % n_depts else 0) for d in range(n_depts)]
    slot = 0
    supervisor_no = 0
    for d in range(n_depts):
        dept_code = f"sales-{d + 1:02d}"
        districts = tuple(j for j in range(len(W.DISTRICTS)) if j % n_depts == d)
        units.append(
            UnitPlan(dept_code, f"营销{chinese_number(d + 1)}部", "field_sales", "hq", 10 + d, districts)
        )
        person("manager" if d == 0 else f"mgr{d + 1:02d}", dept_code, "dept_manager")
        if with_teams:
            n_teams = max(1, round(per_dept[d] / 10))
            sizes = [per_dept[d] // n_teams + (1 if t < per_dept[d] % n_teams else 0) for t in range(n_teams)]
            groups = []
            seen: dict[int, int] = {}
            for t in range(n_teams):
                district = districts[t % len(districts)]
                seen[district] = seen.get(district, 0) + 1
                team_code = f"{dept_code}-t{t + 1:02d}"
                name = f"{W.DISTRICTS[district].short}{chinese_number(seen[district])}组"
                units.append(UnitPlan(team_code, name, "field_sales", dept_code, t + 1, (district,)))
                supervisor_no += 1
                person(
                    "supervisor" if supervisor_no == 1 else f"sup{supervisor_no:03d}", team_code, "supervisor"
                )
                groups.append((team_code, sizes[t], (district,)))
        else:
            groups = [(dept_code, per_dept[d], districts)]
        for unit_code, size, unit_districts in groups:
            for k in range(size):
                slot += 1
                if slot == 1:
                    username = "rep"
                elif slot == 2:
                    username = "rep2"
                elif d == 1 and unit_code == groups[0][0] and k == 0:
                    username = "outsider"
                else:
                    username = f"rep{slot:03d}"
                district = unit_districts[k % len(unit_districts)]
                centre = _jitter(rng, W.DISTRICTS[district].lat, W.DISTRICTS[district].lng, 2.5)
                person(username, unit_code, "field_rep", district=district, centre=centre)
    return OrgPlan(tuple(units), tuple(users))


# --- customers (R-ARCH-1..6) -----------------------------------------------------------------

CUSTOMER_TYPES = (
    ("retailer", 80),
    ("agent_l1", 1),
    ("agent_l2", 2),
    ("distributor", 5),
    ("end_user", 5),
    ("project_owner", 1),
    ("recommender", 1),
    ("jv_subsidiary", 1.5),
    ("household", 0.5),
    ("other", 3),
)
STATUSES = (("active", 80), ("prospect", 8), ("dormant", 7), ("lost", 4), ("blacklisted", 1))
COMPANY_TYPES = {"agent_l1", "agent_l2", "distributor", "end_user", "project_owner", "jv_subsidiary", "other"}
PERSON_TYPES = {"recommender", "household"}
# (median annual value in yuan, log-normal sigma)
VALUE_BY_TYPE = {
    "retailer": (90_000, 0.8),
    "agent_l1": (3_000_000, 0.6),
    "agent_l2": (1_200_000, 0.7),
    "distributor": (1_500_000, 0.9),
    "end_user": (300_000, 1.0),
    "project_owner": (800_000, 1.0),
    "jv_subsidiary": (2_000_000, 0.8),
    "other": (60_000, 1.0),
}
INDUSTRY_BY_TYPE = {
    "retailer": "零售业",
    "agent_l1": "批发业",
    "agent_l2": "批发业",
    "distributor": "批发业",
    "project_owner": "房地产业",
    "jv_subsidiary": "批发业",
}
END_USER_INDUSTRIES = ("餐饮业", "住宿业", "制造业", "建筑业", "教育", "卫生")


class _NameBook:
    """Unique customer names by construction: a set of normalised names plus deterministic fallbacks."""

    def __init__(self):
        self.used: set[str] = set()

    def take(self, rng: random.Random, make: Callable[[random.Random], tuple[str, str]]) -> tuple[str, str]:
        for _ in range(12):
            name, short = make(rng)
            key = normalize_name(name)
            if key not in self.used:
                self.used.add(key)
                return name, short
        n = 2
        while True:  # deterministic fallback: 恒达便利店(文三路2号店), 杭州恒达商贸第2分公司
            if name.endswith("有限公司"):
                candidate = f"{name[:-4]}第{n}分公司"
            elif name.endswith("店)"):
                candidate = f"{name[:-2]}{n}号店)"
            else:
                candidate = f"{name}({n}号店)"
            key = normalize_name(candidate)
            if key not in self.used:
                self.used.add(key)
                return candidate, short
            n += 1


def _brand(rng: random.Random) -> str:
    first, second = rng.sample(W.BRAND_CHARS, 2)
    return first + second


def _shop_name(rng: random.Random, district: W.District, fmt: str) -> tuple[str, str]:
    pattern = rng.random()
    if pattern < 0.45:
        brand = _brand(rng)
        return f"{brand}{fmt}({rng.choice(district.roads)}店)", f"{brand}{fmt}"
    if pattern < 0.70:
        brand = _brand(rng)
        return f"{district.short}{brand}{fmt}", f"{brand}{fmt}"
    if pattern < 0.90:
        town = rng.choice(district.towns).removesuffix("街道").removesuffix("镇")
        short = (
            f"{rng.choice(W.PERSONAL_SHOP_PREFIX)}{rng.choices(W.SURNAMES, weights=_SURNAME_WEIGHTS)[0]}{fmt}"
        )
        return f"{town}{short}", short
    short = f"{_person_name(rng)}{fmt}"
    return f"{W.CITY}{district.name}{short}", short


def _company_name(rng: random.Random, district: W.District, words=W.COMPANY_WORDS) -> tuple[str, str]:
    brand = _brand(rng)
    word = rng.choice(words)
    prefix = W.CITY_SHORT if rng.random() < 0.7 else f"{W.CITY_SHORT}{district.short}"
    return f"{prefix}{brand}{word}有限公司", f"{brand}{word}"


def _person_customer_name(rng: random.Random, district: W.District, kind: str) -> tuple[str, str]:
    person = _person_name(rng)
    if kind == "household":
        town = rng.choice(district.towns)
        return f"{person}（{town}{rng.randint(1, 30)}幢{rng.randint(1, 28)}0{rng.randint(1, 4)}室）", person
    return f"{person}（{rng.choice(('行业协会', '商会', '街道办事处', '社区'))}）", person


def _money(value: float) -> Decimal:
    return Decimal(int(value)).quantize(Decimal("0.01"))


def _time(rng: random.Random, choices) -> dt.time:
    return dt.time(*rng.choice(choices))


def _birthday(rng: random.Random, year: int) -> dt.date:
    start = dt.date(year, 1, 1)
    return start + dt.timedelta(days=rng.randrange(365))


def default_contact_range(customers: int) -> tuple[int, int]:
    return (1, 3) if customers <= SCALE_THRESHOLD else (1, 2)


def iter_customers(
    org: OrgPlan,
    count: int,
    *,
    seed: int = 1,
    today: dt.date,
    contacts: tuple[int, int] | None = None,
) -> Iterator[CustomerRecord]:
    """``count`` customers spread evenly over the org's field reps, deterministic for ``seed``.

    Customer i (1-based) belongs to rep ``(i - 1) % reps``, so every rep gets a fair share, and
    lies around that rep's territory centre in the rep's district.
    """
    rng = random.Random(f"{seed}:customers")
    calendar = WorkdayCalendar()
    lo, hi = contacts or default_contact_range(count)
    reps = org.reps
    unit_reps: dict[str, list[str]] = {}
    for rep in reps:
        unit_reps.setdefault(rep.unit, []).append(rep.username)
    unit_bosses = {u.unit: u.username for u in org.users if u.position in ("supervisor", "dept_manager")}
    book = _NameBook()
    used_phones: set[str] = set()
    used_codes: set[str] = set()
    shop_formats = tuple((fmt, weight) for fmt, _, weight in W.SHOP_FORMATS)
    format_code = {fmt: code for fmt, code, _ in W.SHOP_FORMATS}

    for i in range(1, count + 1):
        owner = reps[(i - 1) % len(reps)]
        district = W.DISTRICTS[owner.district]
        ctype = _weighted(rng, CUSTOMER_TYPES)
        is_company = ctype in COMPANY_TYPES
        f: dict = {"customer_type": ctype}

        # name, business format, nature, scale
        if ctype == "retailer":
            fmt = _weighted(rng, shop_formats)
            name, short = book.take(rng, lambda r, d=district, s=fmt: _shop_name(r, d, s))
            f["business_format"] = format_code[fmt]
            f["enterprise_nature"] = "individual" if rng.random() < 0.75 else "private"
            f["scale"] = "micro" if rng.random() < 0.8 else "small"
            f["retail_grade"] = max(1, min(30, round(rng.triangular(1, 30, 12))))
            f["industry"] = "零售业"
            # tobacco service-class criteria (R-FREQ-4)
            f["modern_terminal"] = (
                f["business_format"] in ("supermarket", "convenience") and rng.random() < 0.3
            )
            f["violations_3m"] = 0 if rng.random() < 0.95 else rng.randint(1, 3)
            f["assistance_target"] = rng.random() < 0.01
        elif ctype in PERSON_TYPES:
            name, short = book.take(rng, lambda r, d=district, k=ctype: _person_customer_name(r, d, k))
            f["enterprise_nature"] = ""
        else:
            words = W.COMPANY_WORDS
            if ctype == "end_user":
                words = ("餐饮管理", "酒店管理", "实业", "建设", "工贸", "科技")
            elif ctype == "project_owner":
                words = ("房地产开发", "置业", "建设", "投资")
            name, short = book.take(rng, lambda r, d=district, w=words: _company_name(r, d, w))
            nature = _weighted(
                rng, (("private", 70), ("state", 10), ("collective", 5), ("foreign", 5), ("joint", 10))
            )
            if ctype == "jv_subsidiary":
                nature = rng.choice(("joint", "foreign", "state"))
            f["enterprise_nature"] = nature
            f["scale"] = _weighted(rng, (("large", 10), ("medium", 35), ("small", 45), ("micro", 10)))
            f["registered_capital"] = _money(rng.choice((50, 100, 200, 500, 1000, 2000, 5000)))
            f["industry"] = (
                rng.choice(END_USER_INDUSTRIES)
                if ctype == "end_user"
                else INDUSTRY_BY_TYPE.get(ctype, "其他")
            )
            if f["industry"] == "制造业":
                f["production_lines"] = rng.randint(1, 8)
            if nature == "state":
                f["competent_unit"] = rng.choice(("杭州市商务局", "杭州市国资委", f"{district.name}商务局"))
        f["name"] = name
        f["short_name"] = short
        f["normalized_name"] = normalize_name(name)
        f["code"] = f"KH{i:07d}"

        # identifiers
        if is_company:
            f["credit_code"] = _unique(rng, used_codes, lambda r, d=district: _credit_code(r, "91", d.code))
        elif ctype == "retailer" and rng.random() < 0.6:
            f["credit_code"] = _unique(rng, used_codes, lambda r, d=district: _credit_code(r, "92", d.code))
        else:
            f["credit_code"] = ""
        if is_company and rng.random() < 0.3:
            f["phone"] = _unique(rng, used_phones, lambda r: f"{W.AREA_CODE}-8{r.randrange(10**7):07d}")
        else:
            f["phone"] = _unique(rng, used_phones, _mobile)

        # where
        town = rng.choice(district.towns)
        address = f"{W.CITY}{district.name}{town}{rng.choice(district.roads)}{rng.randint(1, 999)}号"
        f["delivery_address"] = address
        f["registered_address"] = (
            address
            if not is_company or rng.random() < 0.7
            else f"{W.CITY}{district.name}{rng.choice(district.roads)}{rng.randint(1, 999)}号{rng.randint(2, 25)}楼"
        )
        f["province"], f["city"], f["district"] = W.PROVINCE, W.CITY, district.name
        f["province_code"], f["city_code"], f["district_code"] = W.PROVINCE_CODE, W.CITY_CODE, district.code
        lat, lng = _jitter(rng, owner.centre[0], owner.centre[1], 1.5)
        f["latitude"] = Decimal(f"{lat:.6f}")
        f["longitude"] = Decimal(f"{lng:.6f}")
        f["coordinate_system"] = "GCJ02"
        if rng.random() < district.urban:
            f["market_type"] = "city"
        else:
            f["market_type"] = "town" if rng.random() < 0.7 else "village"

        # when
        if ctype == "retailer":
            if f["business_format"] == "convenience" and rng.random() < 0.15:
                f["opens_at"], f["closes_at"] = dt.time(0, 0), dt.time(23, 59)
            else:
                f["opens_at"] = _time(rng, ((6, 30), (7, 0), (7, 30), (8, 0), (8, 30), (9, 0)))
                f["closes_at"] = _time(rng, ((21, 0), (21, 30), (22, 0), (22, 30), (23, 0)))
            f["order_weekday"] = rng.randint(0, 4)  # Monday..Friday (0 = Monday)
        else:
            f["opens_at"] = _time(rng, ((8, 30), (9, 0)))
            f["closes_at"] = _time(rng, ((17, 30), (18, 0)))
            f["order_weekday"] = rng.randint(0, 4) if ctype in ("distributor", "agent_l2") else None

        # status and registration (R-ARCH-5)
        status = _weighted(rng, STATUSES)
        roll = rng.random()
        if roll < 0.01:
            status = "prospect"
            first_contact = today - dt.timedelta(days=rng.randint(0, 12))
        elif status == "prospect":
            first_contact = today - dt.timedelta(days=rng.randint(7, 240))
        else:
            first_contact = today - dt.timedelta(days=int(rng.triangular(30, 15 * 365, 2 * 365)))
        due = calendar.add_workdays(first_contact, REGISTRATION_WORKDAYS)
        f["status"] = status
        f["first_contact_on"] = first_contact
        f["registration_due"] = due
        if roll < 0.01:
            f["registration_status"] = "pending"
            f["registered_at"] = None
            f["registered_late"] = False
        else:
            late = roll < 0.06 and due + dt.timedelta(days=1) < today
            if late:
                day = min(today, due + dt.timedelta(days=rng.randint(1, 15)))
            else:
                day = first_contact + dt.timedelta(
                    days=rng.randint(0, (min(due, today) - first_contact).days)
                )
            moment = dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.randrange(60)), BEIJING)
            f["registration_status"] = "registered"
            f["registered_at"] = moment
            f["registered_late"] = day > due
        if status != "prospect":
            since = first_contact + dt.timedelta(days=rng.randint(0, 60))
            f["cooperation_since"] = min(since, today)

        # money
        if status == "prospect":
            f["annual_value"] = None
        else:
            median, sigma = VALUE_BY_TYPE.get(ctype, (50_000, 1.0))
            value = rng.lognormvariate(math.log(median), sigma)
            if status in ("dormant", "lost", "blacklisted"):
                value *= rng.uniform(0.05, 0.4)
            f["annual_value"] = _money(value)
            f["monthly_contract_volume"] = _money(value / 12 * rng.uniform(0.8, 1.1))
            f["purchase_share"] = Decimal(rng.randint(10, 95))
            if is_company or rng.random() < 0.3:
                f["credit_limit"] = _money(max(5000, round(value * rng.uniform(0.05, 0.2), -3)))
                f["credit_term_days"] = rng.choice((0, 15, 30, 30, 45, 60, 90))
        f["source"] = rng.choice(W.SOURCES)
        f["bad_credit"] = status == "blacklisted" or rng.random() < 0.01

        # importance and knowers (R-ARCH-6)
        key_roll = rng.random()
        f["is_key"] = key_roll < 0.10 or (f["annual_value"] or 0) >= 2_000_000
        f["is_potential_key"] = not f["is_key"] and key_roll < 0.13
        important = f["is_key"] or f["is_potential_key"]
        co_owners: tuple[str, ...] = ()
        if rng.random() < (0.65 if important else 0.02):
            mates = [u for u in unit_reps.get(owner.unit, ()) if u != owner.username]
            boss = unit_bosses.get(owner.unit)
            if mates and (boss is None or rng.random() < 0.7):
                co_owners = (rng.choice(mates),)
            elif boss:
                co_owners = (boss,)

        # needs (R-ARCH-3)
        if important or rng.random() < 0.15:
            f["main_needs"] = rng.choice(W.MAIN_NEEDS)
            f["potential_needs"] = rng.choice(W.POTENTIAL_NEEDS)
            f["budget"] = rng.choice(W.BUDGETS)
            f["price_sensitivity"] = rng.choice(W.PRICE_SENSITIVITY)
            f["purchase_timeline"] = rng.choice(W.PURCHASE_TIMELINE)

        record = CustomerRecord(index=i, fields=f, owner=owner.username, co_owners=co_owners)

        # contacts (R-ARCH-2)
        titles = W.COMPANY_TITLES if is_company else W.SHOP_TITLES
        for n in range(rng.randint(lo, hi)):
            title, power, audience = titles[0] if n == 0 else rng.choice(titles)
            if audience == "I" and not important:
                audience = "II"
            age = rng.randint(25, 65)
            mobile = _mobile(rng)
            contact = {
                "name": _person_name(rng),
                "title": title,
                "is_primary": n == 0,
                "decision_power": power,
                "audience_class": audience,
                "mobile": mobile,
                "wechat": mobile if rng.random() < 0.5 else f"wxid_{rng.randrange(16**8):08x}",
                "age": age,
                "education": rng.choice(W.EDUCATION),
                "personality": rng.choice(W.PERSONALITY),
                "interests": rng.choice(W.INTERESTS),
                "hobbies": rng.choice(W.HOBBIES),
                "habits": rng.choice(W.HABITS),
                "family": rng.choice(W.FAMILY),
                "strengths": rng.choice(W.STRENGTHS),
            }
            if is_company and rng.random() < 0.4:
                contact["email"] = f"{mobile}@163.com"
            if rng.random() < 0.3:
                contact["qq"] = str(rng.randint(10**5, 10**10))
            if rng.random() < 0.15:
                contact["birthday_calendar"] = "lunar"
                contact["lunar_birth_month"] = rng.randint(1, 12)
                contact["lunar_birth_day"] = rng.randint(1, 30)
                contact["lunar_birth_leap"] = rng.random() < 0.02
            else:
                contact["birthday_calendar"] = "solar"
                contact["birthday"] = _birthday(rng, today.year - age)
            record.contacts.append(contact)

        # competition and major changes (R-ARCH-3, R-ARCH-4)
        if rng.random() < 0.06:
            for competitor, products in rng.sample(W.COMPETITORS, rng.randint(1, 2)):
                record.competitors.append(
                    {
                        "name": competitor,
                        "products": products,
                        "customer_view": rng.choice(W.COMPETITOR_VIEWS),
                        "tactics": rng.choice(W.COMPETITOR_TACTICS),
                    }
                )
        if status != "prospect" and rng.random() < 0.02:
            span = (today - first_contact).days
            occurred = first_contact + dt.timedelta(days=rng.randint(0, max(0, span - 1)))
            kind = rng.choice(tuple(W.CHANGE_TEXT))
            record.changes.append(
                {
                    "kind": kind,
                    "occurred_on": occurred,
                    "description": W.CHANGE_TEXT[kind],
                    "report_due": calendar.add_workdays(occurred, REGISTRATION_WORKDAYS),
                    "reported_late": rng.random() < 0.1,
                }
            )
        yield record


# --- writing ---------------------------------------------------------------------------------


@dataclass
class DemoResult:
    created: bool
    message: str = ""
    units: int = 0
    users: int = 0
    customers: int = 0
    contacts: int = 0
    seconds: float = 0.0


def demo_data_exists() -> bool:
    from baifang.org.models import OrgUnit

    return OrgUnit.objects.exists()


def write_demo(
    *,
    customers: int,
    reps: int,
    seed: int = 1,
    today: dt.date | None = None,
    contacts: tuple[int, int] | None = None,
    batch_size: int = BATCH_SIZE,
    log: Callable[[str], None] = lambda message: None,
) -> DemoResult:
    """Write the demo company and ``customers`` customers; no-op when org units already exist."""
    from django.contrib.auth.hashers import make_password
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from baifang.customers.models import Competitor, Contact, Customer, MajorChange
    from baifang.org.models import OrgUnit, Position, PositionAssignment, User

    if demo_data_exists():
        return DemoResult(False, "Org units already exist; demo data not written (nothing changed).")
    started = time.monotonic()
    today = today or timezone.localdate()
    org = plan_org(reps, seed)

    with transaction.atomic():
        # positions and units: few rows, saved one by one (OrgUnit.save computes the path)
        positions = {}
        for code, name, kind in POSITIONS:
            positions[code], _ = Position.objects.get_or_create(
                code=code, defaults={"name": name, "kind": kind}
            )
        units: dict[str, OrgUnit] = {}
        for plan in org.units:
            unit = OrgUnit(
                code=plan.code,
                name=plan.name,
                kind=plan.kind,
                parent=units.get(plan.parent) if plan.parent else None,
                sort_order=plan.sort_order,
            )
            unit.save()
            units[plan.code] = unit
        log(f"org: {len(units)} units")

        password = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo user
        User.objects.bulk_create(
            [
                User(
                    username=u.username,
                    display_name=u.display_name,
                    phone=u.phone,
                    unit=units[u.unit],
                    password=password,
                    is_superuser=u.is_superuser,
                    is_staff=u.is_superuser,
                    email=f"{u.username}@hefeng.example.com",
                )
                for u in org.users
            ],
            batch_size=batch_size,
        )
        user_ids = dict(
            User.objects.filter(username__in=[u.username for u in org.users]).values_list("username", "pk")
        )
        PositionAssignment.objects.bulk_create(
            [
                PositionAssignment(
                    user_id=user_ids[u.username], position=positions[u.position], unit=units[u.unit]
                )
                for u in org.users
            ],
            batch_size=batch_size,
        )
        log(f"people: {len(org.users)} users, {len(org.reps)} field reps")
        user_unit = {u.username: units[u.unit].pk for u in org.users}

        # customers: explicit primary keys so codes match Customer.save()'s KH{pk:07d} scheme
        # and related rows need no round trip; sequences are reset afterwards.
        base = Customer.objects.aggregate(m=Max("pk"))["m"] or 0
        # Fields the generator knows but this schema lacks are dropped (said once), not fatal.
        columns = {f.name for f in Customer._meta.concrete_fields}
        warned: set[str] = set()
        through = Customer.co_owners.through
        counts = {"customers": 0, "contacts": 0}
        batch: list[CustomerRecord] = []

        def flush() -> None:
            rows, people, links, rivals, changes = [], [], [], [], []
            for rec in batch:
                pk = base + rec.index
                owner_id = user_ids[rec.owner]
                fields = dict(rec.fields, code=f"KH{pk:07d}")
                for name in fields.keys() - columns:
                    del fields[name]
                    if name not in warned:
                        warned.add(name)
                        log(f"note: the customer model has no field {name!r}; not written")
                rows.append(
                    Customer(
                        pk=pk,
                        owner_id=owner_id,
                        unit_id=user_unit[rec.owner],
                        created_by_id=owner_id,
                        **fields,
                    )
                )
                people.extend(Contact(customer_id=pk, **c) for c in rec.contacts)
                links.extend(through(customer_id=pk, user_id=user_ids[u]) for u in rec.co_owners)
                rivals.extend(Competitor(customer_id=pk, **c) for c in rec.competitors)
                changes.extend(MajorChange(customer_id=pk, recorded_by_id=owner_id, **c) for c in rec.changes)
            Customer.objects.bulk_create(rows, batch_size=batch_size)
            Contact.objects.bulk_create(people, batch_size=batch_size)
            through.objects.bulk_create(links, batch_size=batch_size)
            Competitor.objects.bulk_create(rivals, batch_size=batch_size)
            MajorChange.objects.bulk_create(changes, batch_size=batch_size)
            counts["customers"] += len(rows)
            counts["contacts"] += len(people)
            batch.clear()

        report_every = max(batch_size, (customers // 10) // batch_size * batch_size)
        for record in iter_customers(org, customers, seed=seed, today=today, contacts=contacts):
            batch.append(record)
            if len(batch) >= batch_size:
                flush()
                if counts["customers"] % report_every == 0:
                    log(
                        f"customers: {counts['customers']:,}/{customers:,} "
                        f"({time.monotonic() - started:.1f}s)"
                    )
        if batch:
            flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Customer]):
                cursor.execute(sql)

    with connection.cursor() as cursor:  # fresh planner statistics for the bulk-loaded tables
        for model in (Customer, Contact, through, User, OrgUnit, PositionAssignment):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    seconds = time.monotonic() - started
    log(f"customers: {counts['customers']:,}, contacts: {counts['contacts']:,} in {seconds:.1f}s")
    return DemoResult(
        True,
        units=len(units),
        users=len(org.users),
        customers=counts["customers"],
        contacts=counts["contacts"],
        seconds=seconds,
    )
