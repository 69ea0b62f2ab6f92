"""What complaints adds to the pages below it: a "complaint" action on a visit (R-COMP-1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from baifang.visits import extensions


def register() -> None:
    """A complaint heard during a visit, registered by its rep with the visit as its source."""
    extensions.visit_actions.register(
        extensions.Link(
            "complaint",
            _("Register a complaint"),
            "complaints:create",
            order=40,
            mine_only=True,
            query="touch",
        )
    )
