"""JSON bodies with a nesting limit: a deeply nested body is a 400, not a RecursionError (R-SEC-1)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def depth(value, limit: int) -> int:
    """How deeply ``value`` nests lists and objects, counting at most to ``limit + 1``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level > limit:
                return level
            stack.extend((child, level + 1) for child in item)
    return deepest


class DepthLimitedJSONParser(JSONParser):
    """JSONParser that refuses bodies nested deeper than ``settings.JSON_MAX_DEPTH``."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # deeper than Python's own parser can go
            raise ParseError(self.too_deep()) from None
        if depth(data, settings.JSON_MAX_DEPTH) > settings.JSON_MAX_DEPTH:
            raise ParseError(self.too_deep())
        return data

    @staticmethod
    def too_deep() -> str:
        return _("The JSON body is nested too deeply (at most %(depth)d levels).") % {
            "depth": settings.JSON_MAX_DEPTH
        }
