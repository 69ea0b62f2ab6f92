"""Follow-up fixtures: the visits ones (a located customer under a 15-minute visit rule, a fixed clock)."""

from tests.visits.conftest import _media, clock, shop  # noqa: F401  (fixtures)
