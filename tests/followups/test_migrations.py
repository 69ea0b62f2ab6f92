"""The split from visits moved no data (issue 11): the tables keep their names and rows, and the
content types, permission grants and audit rows of the moved models now name followups."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from baifang.core.models import AuditLog
from baifang.followups.models import Appointment, AppointmentChange, Commitment, OpenQuestion
from tests.factories import UserFactory

BEFORE = [("visits", "0009_appointmentchange_workflow"), ("followups", None)]
MOVED = ("appointment", "appointmentchange", "openquestion", "commitment")


@pytest.mark.django_db
def test_the_tables_keep_their_names():
    assert [m._meta.db_table for m in (Appointment, AppointmentChange, OpenQuestion, Commitment)] == [
        "visits_appointment",
        "visits_appointmentchange",
        "visits_openquestion",
        "visits_commitment",
    ]
    assert set(connection.introspection.table_names()) >= {
        "visits_appointment",
        "visits_appointmentchange",
        "visits_openquestion",
        "visits_commitment",
    }


@pytest.mark.django_db(transaction=True)
def test_content_types_permissions_and_audit_rows_move_with_the_models():
    """A database from before the split: its grants and audit rows follow the models to followups."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = ContentType.objects.get_or_create(app_label="visits", model="appointment")[0]
    perm = Permission.objects.get_or_create(
        content_type=old, codename="change_appointment", defaults={"name": "Can change appointment"}
    )[0]
    user = UserFactory()
    user.user_permissions.add(perm)
    AuditLog.objects.create(action="update", object_type="visits.appointment", object_id="7")
    AuditLog.objects.create(action="update", object_type="visits.touch", object_id="7")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    old.refresh_from_db()
    assert (old.app_label, old.model) == ("followups", "appointment")  # the same row, renamed
    assert not ContentType.objects.filter(app_label="visits", model__in=MOVED).exists()
    assert user.user_permissions.get() == perm
    perm.refresh_from_db()
    assert perm.content_type_id == old.pk
    assert sorted(AuditLog.objects.values_list("object_type", flat=True)) == [
        "followups.appointment",
        "visits.touch",
    ]
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Appointment).pk == old.pk
