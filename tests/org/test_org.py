"""Org tree, positions, supervisors and data scope (R-ORG-1..4)."""

from __future__ import annotations

import pytest

from baifang.org.choices import DataScope
from baifang.org.models import OrgUnit
from tests.factories import OrgUnitFactory, UserFactory


def test_units_form_a_tree_with_materialised_paths(org):
    """R-ORG-1: paths nest, and a subtree query finds descendants only."""
    assert org.team1.path.startswith(org.sales1.path)
    subtree = set(OrgUnit.objects.subtree_of([org.sales1]).values_list("code", flat=True))
    assert subtree == {"sales1", "team1"}


def test_moving_a_unit_rewrites_descendant_paths(org):
    """R-ORG-1: moving a department moves its teams with it."""
    org.sales1.parent = org.sales2
    org.sales1.save()
    org.team1.refresh_from_db()
    assert org.team1.path.startswith(org.sales2.path)


def test_unit_kinds_are_data(org):
    """R-ORG-1: departments carry a kind."""
    assert org.market_dept.kind == "market"
    assert org.sales1.kind == "field_sales"


def test_user_holds_several_positions(org):
    """R-ORG-2: positions are data and a user may hold several."""
    from baifang.org.models import PositionAssignment
    from tests.factories import PositionFactory

    PositionAssignment.objects.create(
        user=org.manager, position=PositionFactory(kind="supervisor"), unit=org.team1
    )
    org.manager.refresh_from_db()
    assert {"dept_manager", "supervisor"} <= set(
        org.manager.assignments.values_list("position__kind", flat=True)
    )


def test_supervisor_is_derived_from_the_tree(org):
    """R-ORG-3: a rep in a team without its own manager reports to the department manager."""
    assert org.rep.supervisor == org.manager
    assert org.manager.supervisor is None or org.manager.supervisor != org.manager


def test_supervisor_override_wins(org):
    """R-ORG-3: the derived supervisor can be overridden."""
    org.rep.supervisor_override = org.leader
    org.rep.save()
    assert org.rep.supervisor == org.leader


def test_team_supervisor_comes_before_department_manager(org):
    """R-ORG-3: the nearest manager above the user is the supervisor."""
    team_lead = UserFactory(unit=org.team1, position="supervisor")
    assert org.rep.supervisor == team_lead
    assert team_lead.supervisor == org.manager


@pytest.mark.parametrize(
    ("persona", "scope"),
    [
        ("rep", DataScope.OWN),
        ("manager", DataScope.UNITS),
        ("market", DataScope.ALL),
        ("leader", DataScope.ALL),
        ("admin", DataScope.ALL),
        ("outsider", DataScope.OWN),
    ],
)
def test_data_scope_by_position(org, persona, scope):
    """R-ORG-4: reps see their own, managers their units, market/leaders/admins everything."""
    assert getattr(org, persona).data_scope == scope


def test_a_unit_cannot_be_its_own_ancestor(org):
    from django.core.exceptions import ValidationError

    org.sales1.parent = org.team1
    with pytest.raises(ValidationError):
        org.sales1.full_clean()


def test_department_of_a_team_is_the_unit_below_the_company(org):
    assert org.team1.get_department() == org.sales1
    assert OrgUnitFactory(parent=org.team1).get_department() == org.sales1
