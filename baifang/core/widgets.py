"""Form widgets shared by every app.

HTML ``<input type="date">`` (and ``time``, ``datetime-local``) only understands ISO values; a widget
left to Django's localized formats renders ``2027/01/04`` in the Chinese UI and the browser shows an
empty field. These widgets always render ISO, in every language.
"""

from __future__ import annotations

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 (Django's argument name)
        super().__init__(attrs, format=format or ISO_DATE)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs, format=format or ISO_TIME)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs, format=format or ISO_DATETIME)
