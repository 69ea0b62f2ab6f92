"""Domain errors shared by every app: one class each, mapped once by the API's exception handler.

Services raise these (or Django's ``ValidationError``); views and viewsets never catch them to
translate them by hand. ``InvalidTransition`` and ``StaleVersion`` are ``ValidationError``s so forms
and the admin show them like any other validation message.
"""

from django.core.exceptions import ValidationError


class InvalidTransition(ValidationError):
    """A workflow object cannot move to that status from where it is, or not by this person."""


class StaleVersion(ValidationError):
    """Someone else changed the object since the page was loaded (optimistic locking): HTTP 409."""
