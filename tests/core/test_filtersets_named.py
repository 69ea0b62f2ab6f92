"""Every API list names its FilterSet, written in its app's ``filtersets.py`` (issue 11: one FilterSet per
list, shared by the page and the API) — never one generated from ``filterset_fields``."""

from __future__ import annotations

from django.urls import get_resolver
from django_filters import FilterSet


def _viewsets():
    seen = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
                continue
            cls = getattr(pattern.callback, "cls", None)
            if cls is not None and cls not in seen:
                seen.add(cls)
                yield cls

    yield from walk(get_resolver().url_patterns)


def test_no_api_list_builds_its_filters_from_filterset_fields():
    found = list(_viewsets())
    assert len(found) > 40  # the walk reaches the API's viewsets
    generated = [cls.__qualname__ for cls in found if getattr(cls, "filterset_fields", None)]
    assert generated == []


def test_each_named_filterset_lives_in_its_apps_filtersets_module():
    named = {
        cls.__qualname__: cls.filterset_class for cls in _viewsets() if getattr(cls, "filterset_class", None)
    }
    assert len(named) > 30
    misplaced = {
        view: f"{fs.__module__}.{fs.__qualname__}"
        for view, fs in named.items()
        if not (issubclass(fs, FilterSet) and fs.__module__.endswith(".filtersets"))
    }
    assert misplaced == {}
