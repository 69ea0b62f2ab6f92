"""What the apps above visits add to its pages and to a record's submit (the floors: visits never imports them).

An upper app registers in its ``AppConfig.ready()``; a key registered again replaces the earlier entry
(``ready()`` may run twice). ``baifang.followups`` is the worked example: its appointments, open
questions and commitments show on the today page and the visit page, and the record form takes a
promise with its due date (R-VISIT-6, R-VISIT-7, R-FU-1)::

    from baifang.visits import extensions

    extensions.today_sections.register(extensions.Section("appointments", "followups/_today.html", context))
    extensions.customer_actions.register(extensions.Link("appointment", _("Appointment"), "followups:appointment_new"))

- ``today_links``: buttons in the today page's head; ``url_name`` takes no argument.
- ``customer_actions``: buttons on each customer due on the today page; ``url_name`` takes the customer's pk.
- ``visit_actions``: buttons on the visit page; ``url_name`` takes the touch's pk, or ``query`` names the
  parameter that carries it (``mine_only``: for its rep).
- ``today_sections`` / ``visit_sections``: cards; ``context(user, **objects)`` returns the dict the
  template reads (the today page passes ``day``, the visit page ``touch`` and ``record``).
- ``offline_pages``: pages the phone keeps for a day without network (R-UX-2, ``OfflinePages``):
  ``urls(user, day)`` returns the paths of the day's pages the app owns (its plan of the day, its map).
- ``record_parts``: a part of the record form (``RecordPart``): its fields, its fieldset, what it saves
  and what it still misses before the record may be submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.urls import reverse


@dataclass(frozen=True)
class Link:
    key: str
    label: str  # a lazy translation
    url_name: str
    order: int = 100
    mine_only: bool = False
    query: str = ""  # when set, the object's pk goes in this query parameter, not in the path

    def url(self, *args) -> str:
        return reverse(self.url_name, args=args)

    def url_for(self, pk) -> str:
        """The link for one object: ``url_name`` with its pk, or ``?<query>=<pk>`` on ``url_name``."""
        if self.query:
            return f"{reverse(self.url_name)}?{self.query}={pk}"
        return reverse(self.url_name, args=[pk])


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Callable[..., dict] = field(compare=False)
    order: int = 100


def _nothing(*args, **kwargs) -> dict:
    return {}


@dataclass(frozen=True)
class RecordPart:
    """A part of the record form owned by an upper app.

    ``fields()`` returns new form fields (name → field) added to the record form; ``clean(data)``
    returns {field: message} for what is wrong in them; ``template`` renders them (it reads ``form`` and
    ``part``, what ``context(user, record)`` returns); ``save(user, record, data)`` stores them after the
    record is saved
    (a ``ValidationError`` keyed by field name shows on the form, and nothing is kept);
    ``missing_for_submit(record)`` returns {field: message} that block the submit (R-VISIT-3).
    """

    key: str
    template: str
    fields: Callable[[], dict] = field(compare=False)
    save: Callable[..., None] = field(compare=False)
    context: Callable[..., dict] = field(default=_nothing, compare=False)
    clean: Callable[[dict], dict] = field(default=_nothing, compare=False)
    missing_for_submit: Callable[..., dict] = field(default=_nothing, compare=False)
    order: int = 100


@dataclass(frozen=True)
class OfflinePages:
    """Pages of the rep's day kept on the phone for offline use (R-UX-2): ``urls(user, day)`` → paths."""

    key: str
    urls: Callable[..., list] = field(compare=False)
    order: int = 100


T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self) -> None:
        self._items: dict[str, Any] = {}

    def register(self, *items: T) -> None:
        for item in items:
            self._items[item.key] = item

    def __iter__(self):
        return iter(sorted(self._items.values(), key=lambda item: (item.order, item.key)))


today_links: Registry[Link] = Registry()
customer_actions: Registry[Link] = Registry()
visit_actions: Registry[Link] = Registry()
today_sections: Registry[Section] = Registry()
visit_sections: Registry[Section] = Registry()
record_parts: Registry[RecordPart] = Registry()
offline_pages: Registry[OfflinePages] = Registry()


def sections(registry: Registry[Section], user, **objects) -> list[dict]:
    """The registered cards, each a dict of its ``template``, ``key`` and what its ``context`` returned;
    the page renders ``{% for s in sections %}{% include s.template %}{% endfor %}`` (the card reads ``s``)."""
    return [{"template": s.template, "key": s.key, **s.context(user, **objects)} for s in registry]
