"""One way to move a workflow object between states: allowed-from states, who may, a status-history row,
an audit entry and a signal (STYLE.md "one transition helper"; docs/architecture.md "How to add a workflow").

A model declares its transitions once::

    class Screening(TimeStampedModel):
        workflow = Workflow(
            Transition("submit", source=[DRAFT], targets=[IN_REVIEW], may=lambda s, user: ...),
            history=lambda s: s.status_changes,
        )

        def submit(self, *, by):
            self.workflow.run(self, "submit", by=by)

and gets ``screening.can_submit(user)`` for every transition, for views and templates
(``{% load workflow %}{% can screening "submit" as may_submit %}``). The caller locks the row
(``select_for_update``) and wraps the call in a transaction where two people may act at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from baifang.core import audit
from baifang.core.exceptions import InvalidTransition

# Sent after every transition with obj=, transition= (its name), old_status=, new_status=, by=;
# sender is the model class. Receivers of other apps react here instead of being imported.
status_changed = Signal()


@dataclass(frozen=True)
class Transition:
    """One move: from any of ``source`` to one of ``targets``, by whom ``may(obj, user)`` allows."""

    name: str
    _: KW_ONLY
    source: frozenset[str]
    targets: frozenset[str]
    may: Callable[[Any, Any], bool] | None = None
    audit_action: str | None = None
    refusal: str = ""  # the message when ``may`` says no; empty: a plain 403
    wrong_state: str = ""  # the message when the state does not allow the move; empty: the workflow's

    def __post_init__(self):
        object.__setattr__(self, "source", frozenset(self.source))
        object.__setattr__(self, "targets", frozenset(self.targets))
        if not self.source or not self.targets:
            raise ValueError(f"transition {self.name!r} needs at least one source and one target state")


class Workflow:
    """The transitions of one model and how to record them.

    ``history(obj)`` returns the related manager of the object's status-history rows (a concrete
    subclass of ``core.models.StatusChange``), or is None for a workflow without its own history.
    ``wrong_state`` is the message for a move the state does not allow (a transition's own
    ``wrong_state`` comes first); it may use ``%(status)s`` (or ``%(old)s``) and ``%(target)s`` (or
    ``%(new)s``).
    """

    def __init__(
        self, *transitions: Transition, status_field: str = "status", history=None, wrong_state: str = ""
    ):
        names = [t.name for t in transitions]
        if len(names) != len(set(names)):
            raise ValueError("two transitions share a name")
        self.transitions: dict[str, Transition] = {t.name: t for t in transitions}
        self.status_field = status_field
        self.history: Callable[[Any], Any] | None = history
        # The message for a move the state does not allow: may use %(status)s (the current state) and
        # %(target)s (where the move leads); empty: a generic one.
        self.wrong_state = wrong_state
        self.model: type[models.Model] | None = None

    # Django calls this for class attributes that have it: the model gets ``can_<name>(user)``.
    def contribute_to_class(self, cls, name: str) -> None:
        self.model = cls
        setattr(cls, name, self)
        for transition_name in self.transitions:
            method = f"can_{transition_name}"
            if method not in cls.__dict__:
                setattr(cls, method, _can_method(name, transition_name))

    def transition(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise ValueError(f"no transition named {name!r}") from None

    def status_of(self, obj) -> str:
        return getattr(obj, self.status_field)

    def allows_from(self, obj, name: str) -> bool:
        """The object's state allows the transition (whoever asks)."""
        return self.status_of(obj) in self.transition(name).source

    def may(self, obj, name: str, user) -> bool:
        """``user`` is the right person for the transition (whatever the state)."""
        check = self.transition(name).may
        return bool(user is not None and user.is_active and (check is None or check(obj, user)))

    def can(self, obj, name: str, user) -> bool:
        """What templates and views ask: this user may make this move now."""
        return self.allows_from(obj, name) and self.may(obj, name, user)

    def available(self, obj, user) -> list[str]:
        """Names of the transitions ``user`` may make now, in declaration order."""
        return [name for name in self.transitions if self.can(obj, name, user)]

    def check(self, obj, name: str, *, by, to: str | None = None) -> str:
        """The target state, or raise: PermissionDenied for the wrong person (checked first, so a
        stranger learns nothing of the state), InvalidTransition for a move the state does not allow."""
        transition = self.transition(name)
        if not self.may(obj, name, by):
            raise PermissionDenied(transition.refusal) if transition.refusal else PermissionDenied
        target = to if to is not None else _only(transition)
        if target not in transition.targets:
            raise ValueError(f"{name!r} cannot lead to {target!r}")
        if not self.allows_from(obj, name):
            message = (
                transition.wrong_state or self.wrong_state or _("This cannot be done while it is %(status)s.")
            )
            status, target_label = _display(obj, self.status_field), _label(obj, self.status_field, target)
            raise InvalidTransition(
                str(message) % {"status": status, "old": status, "target": target_label, "new": target_label},
                code="invalid_transition",
            )
        return target

    @transaction.atomic
    def run(
        self,
        obj,
        name: str,
        *,
        by,
        to: str | None = None,
        comment: str = "",
        changes: Mapping[str, Any] | None = None,
        **history_fields,
    ):
        """Check, apply ``changes`` and the new status, save, write the history row and the audit entry,
        send the signal.

        ``changes`` are other fields this move sets (``{"stage": ...}``), applied only once the move is
        allowed and saved with the status. ``history_fields`` go onto the history row. Returns the
        history row (or None).
        """
        target = self.check(obj, name, by=by, to=to)
        transition = self.transition(name)
        old_status = self.status_of(obj)
        for field_name, value in (changes or {}).items():
            setattr(obj, field_name, value)
        setattr(obj, self.status_field, target)
        fields = {self.status_field, *(changes or {})}
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            fields.add("updated_at")
        obj.save(update_fields=sorted(fields))
        row = None
        if self.history is not None:
            row = self.history(obj).create(
                old_status=old_status,
                new_status=target,
                transition=name,
                changed_by=by,
                comment=comment,
                **history_fields,
            )
        if transition.audit_action:
            audit.record(
                transition.audit_action,
                obj,
                user=by,
                before={self.status_field: old_status},
                after={self.status_field: target},
                message=comment,
            )
        status_changed.send(
            sender=type(obj), obj=obj, transition=name, old_status=old_status, new_status=target, by=by
        )
        return row


def _only(transition: Transition) -> str:
    if len(transition.targets) != 1:
        raise ValueError(f"{transition.name!r} has several targets: say which with to=")
    return next(iter(transition.targets))


def _display(obj, status_field: str) -> str:
    getter = getattr(obj, f"get_{status_field}_display", None)
    return str(getter()) if getter else str(getattr(obj, status_field))


def _label(obj, status_field: str, value: str) -> str:
    meta = getattr(type(obj), "_meta", None)
    choices = dict(meta.get_field(status_field).flatchoices) if meta is not None else {}
    return str(choices.get(value, value))


def _can_method(attribute: str, transition_name: str):
    def can(self, user) -> bool:
        return getattr(type(self), attribute).can(self, transition_name, user)

    can.__name__ = f"can_{transition_name}"
    can.__doc__ = f"Whether ``user`` may {transition_name.replace('_', ' ')} this now."
    return can
