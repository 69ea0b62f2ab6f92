"""Query parameters of pages and API views, checked by a form before they reach a service.

``clean_query(Form, request)`` returns the cleaned values or raises a field-level
``ValidationError``: the API's exception handler answers it with 400, and on pages
``BadQueryMiddleware`` renders it as a 400 page listing what was wrong (R-UX-1).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render

from baifang.core.filtersets import ID_RANGE, validate_date_in_range


class IdField(forms.IntegerField):
    """A row id: a whole number the database can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(min_value=ID_RANGE[0], max_value=ID_RANGE[1], **kwargs)


class BoundedDateField(forms.DateField):
    """A date within settings.DATE_MIN..DATE_MAX."""

    default_validators = [validate_date_in_range]


def clean_query(form_class: type[forms.Form], request) -> dict:
    """The cleaned query parameters, or a field-level ValidationError (a 400)."""
    form = form_class(request.GET)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data


class BadQueryMiddleware:
    """A page whose view raised ValidationError (bad query parameters) answers 400 with the reasons."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ValidationError) or request.path.startswith("/api/"):
            return None
        errors = exception.message_dict if hasattr(exception, "error_dict") else {"": exception.messages}
        return render(request, "core/bad_request.html", {"errors": errors}, status=400)
