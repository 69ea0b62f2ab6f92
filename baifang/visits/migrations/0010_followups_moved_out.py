"""Appointments, open questions and commitments moved to the followups app (issue 11).

State only: the tables stay where they are (followups keeps their names), no row moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0009_appointmentchange_workflow"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="appointmentchange",
                    name="appointment",
                ),
                migrations.RemoveField(
                    model_name="appointmentchange",
                    name="changed_by",
                ),
                migrations.RemoveField(
                    model_name="commitment",
                    name="closed_by",
                ),
                migrations.RemoveField(
                    model_name="commitment",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="commitment",
                    name="customer",
                ),
                migrations.RemoveField(
                    model_name="commitment",
                    name="owner",
                ),
                migrations.RemoveField(
                    model_name="commitment",
                    name="record",
                ),
                migrations.RemoveField(
                    model_name="openquestion",
                    name="answered_by",
                ),
                migrations.RemoveField(
                    model_name="openquestion",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="openquestion",
                    name="customer",
                ),
                migrations.RemoveField(
                    model_name="openquestion",
                    name="owner",
                ),
                migrations.RemoveField(
                    model_name="openquestion",
                    name="touch",
                ),
                migrations.DeleteModel(
                    name="Appointment",
                ),
                migrations.DeleteModel(
                    name="AppointmentChange",
                ),
                migrations.DeleteModel(
                    name="Commitment",
                ),
                migrations.DeleteModel(
                    name="OpenQuestion",
                ),
            ],
        ),
    ]
