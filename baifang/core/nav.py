"""The main navigation, filled by the apps: each registers its entries in ``AppConfig.ready()``.

Core owns the list, never its contents (it imports no app). An entry names a URL, a label, a place
in the order and, optionally, who sees it and which pages light it up::

    from baifang.core import nav

    nav.register(
        nav.NavItem(
            "commerce-orders", _("Orders"), "commerce:orders", order=45,
            active=("commerce:",), visible=lambda user: user.has_perm("commerce.view_order"),
        )
    )

``active`` holds view names or namespace prefixes (ending in ``:``) that mark the entry current;
``inactive`` the view names that do not, although a prefix matches (e.g. the review queue lives in
``visits:`` but has an entry of its own). The base template renders ``nav_items`` from
``core.context_processors.baifang``. On a phone (below 640 px) the top entries give way to a bottom
tab bar: the entries with a ``tab`` place (today's visits, customers, plans) and "me" (core's page that
lists every entry, the language and sign-out). Orders in use: 0 home, 10 customers, 20 today's visits,
25 record review, 30 plans, 40 to visit, 50 route map, 60 compliance, 70 classification,
80 access requests, 85 hand-over, 990 admin; new apps take the free numbers in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


def _everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # a lazy translation
    url_name: str
    order: int = 500
    active: tuple[str, ...] = ()
    inactive: tuple[str, ...] = ()
    visible: Callable[[object], bool] = field(default=_everyone, compare=False)
    tab: int | None = None  # place in the phone's bottom tab bar (the rep's daily places), or None
    icon: str = ""  # the tab bar's icon: a name known to templates/core/includes/tab_icon.html

    def is_active(self, view_name: str | None) -> bool:
        if not view_name or view_name in self.inactive:
            return False
        if view_name == self.url_name:
            return True
        return any(view_name.startswith(m) if m.endswith(":") else view_name == m for m in self.active)


_ITEMS: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    """Add entries (a key registered again replaces the earlier entry: ``ready()`` may run twice)."""
    for item in items:
        _ITEMS[item.key] = item


def registered() -> list[NavItem]:
    return sorted(_ITEMS.values(), key=lambda item: (item.order, item.key))


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url: str
    active: bool
    tab: int | None = None
    icon: str = ""


def links_for(user, view_name: str | None) -> list[Link]:
    """The entries ``user`` may use, in order, with the current one marked."""
    if user is None or not user.is_authenticated:
        return []
    return [
        Link(item.key, item.label, reverse(item.url_name), item.is_active(view_name), item.tab, item.icon)
        for item in registered()
        if item.visible(user)
    ]


def tabs(links: list[Link]) -> list[Link]:
    """The bottom tab bar on a phone: the entries with a ``tab`` place, in that order."""
    return sorted((link for link in links if link.tab is not None), key=lambda link: link.tab)
