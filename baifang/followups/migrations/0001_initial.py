"""The models followups took over from visits (issue 11), created in the state only: their tables
(``visits_appointment``, ``visits_appointmentchange``, ``visits_openquestion``, ``visits_commitment``)
were made by visits 0004 and keep their names, rows, indexes and constraints."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("customers", "0008_handover_moves_and_undo"),
        ("visits", "0010_followups_moved_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Appointment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("starts_at", models.DateTimeField(verbose_name="starts at")),
                        ("ends_at", models.DateTimeField(verbose_name="ends at")),
                        ("place", models.CharField(blank=True, max_length=200, verbose_name="place")),
                        (
                            "purpose",
                            models.CharField(
                                choices=[
                                    ("needs", "Learn needs"),
                                    ("sell", "Sell products"),
                                    ("solve", "Solve problems"),
                                    ("collect", "Collect payment"),
                                    ("new_product", "Promote new products"),
                                    ("relationship", "Maintain the relationship"),
                                    ("complaint", "Handle a complaint"),
                                    ("other", "Other"),
                                ],
                                max_length=16,
                                verbose_name="purpose",
                            ),
                        ),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("planned", "Planned"),
                                    ("changed", "Changed"),
                                    ("cancelled", "Cancelled"),
                                    ("done", "Done"),
                                ],
                                default="planned",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "lead_hours",
                            models.PositiveSmallIntegerField(
                                default=0, editable=False, verbose_name="lead time (h)"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="made at")),
                        (
                            "customer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="appointments",
                                to="customers.customer",
                                verbose_name="customer",
                            ),
                        ),
                        (
                            "rep",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="rep",
                            ),
                        ),
                        (
                            "touch",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="appointment",
                                to="visits.touch",
                                verbose_name="check-in",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "appointment",
                        "verbose_name_plural": "appointments",
                        "db_table": "visits_appointment",
                        "ordering": ["starts_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AppointmentChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("transition", models.CharField(max_length=30, verbose_name="action")),
                        ("comment", models.TextField(blank=True, verbose_name="comment")),
                        ("changed_at", models.DateTimeField(auto_now_add=True, verbose_name="time")),
                        (
                            "old_status",
                            models.CharField(
                                choices=[
                                    ("planned", "Planned"),
                                    ("changed", "Changed"),
                                    ("cancelled", "Cancelled"),
                                    ("done", "Done"),
                                ],
                                max_length=10,
                                verbose_name="from",
                            ),
                        ),
                        (
                            "new_status",
                            models.CharField(
                                choices=[
                                    ("planned", "Planned"),
                                    ("changed", "Changed"),
                                    ("cancelled", "Cancelled"),
                                    ("done", "Done"),
                                ],
                                max_length=10,
                                verbose_name="to",
                            ),
                        ),
                        (
                            "old_starts_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="old start"),
                        ),
                        ("old_ends_at", models.DateTimeField(blank=True, null=True, verbose_name="old end")),
                        ("old_place", models.CharField(blank=True, max_length=200, verbose_name="old place")),
                        (
                            "new_starts_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="new start"),
                        ),
                        ("new_ends_at", models.DateTimeField(blank=True, null=True, verbose_name="new end")),
                        ("new_place", models.CharField(blank=True, max_length=200, verbose_name="new place")),
                        ("reason", models.TextField(blank=True, verbose_name="reason")),
                        (
                            "customer_told_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="customer told at"),
                        ),
                        (
                            "customer_told_whom",
                            models.CharField(
                                blank=True, max_length=60, verbose_name="customer's person told"
                            ),
                        ),
                        (
                            "appointment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="changes",
                                to="followups.appointment",
                                verbose_name="appointment",
                            ),
                        ),
                        (
                            "changed_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "appointment change",
                        "verbose_name_plural": "appointment changes",
                        "db_table": "visits_appointmentchange",
                        "ordering": ["changed_at", "id"],
                        "abstract": False,
                    },
                ),
                migrations.CreateModel(
                    name="Commitment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("text", models.CharField(max_length=300, verbose_name="promise")),
                        ("due_on", models.DateField(verbose_name="due")),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                                default="open",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed at")),
                        ("close_note", models.TextField(blank=True, verbose_name="note")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                        (
                            "closed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="closed by",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="recorded by",
                            ),
                        ),
                        (
                            "customer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="commitments",
                                to="customers.customer",
                                verbose_name="customer",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="commitments",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="owner",
                            ),
                        ),
                        (
                            "record",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="commitments",
                                to="visits.visitrecord",
                                verbose_name="source record",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "commitment",
                        "verbose_name_plural": "commitments",
                        "db_table": "visits_commitment",
                        "ordering": ["due_on", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="OpenQuestion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("text", models.TextField(verbose_name="question")),
                        (
                            "asked_by_name",
                            models.CharField(
                                blank=True, max_length=60, verbose_name="asked by (customer's person)"
                            ),
                        ),
                        ("due_on", models.DateField(verbose_name="answer due")),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "Open"), ("answered", "Answered")],
                                default="open",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("answer", models.TextField(blank=True, verbose_name="answer")),
                        (
                            "answered_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="answered at"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                        (
                            "answered_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="answered by",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="recorded by",
                            ),
                        ),
                        (
                            "customer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="open_questions",
                                to="customers.customer",
                                verbose_name="customer",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="open_questions",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="to be answered by",
                            ),
                        ),
                        (
                            "touch",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="questions",
                                to="visits.touch",
                                verbose_name="asked at",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "open question",
                        "verbose_name_plural": "open questions",
                        "db_table": "visits_openquestion",
                        "ordering": ["due_on", "pk"],
                    },
                ),
                migrations.AddIndex(
                    model_name="appointment",
                    index=models.Index(fields=["rep", "starts_at"], name="visits_appt_rep_start"),
                ),
                migrations.AddIndex(
                    model_name="appointment",
                    index=models.Index(fields=["customer", "starts_at"], name="visits_appt_customer_start"),
                ),
                migrations.AddConstraint(
                    model_name="appointment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="visits_appointment_ends_after_start",
                        violation_error_message="An appointment must end after it starts.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="appointmentchange",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("new_status", "done"),
                            models.Q(
                                models.Q(("reason", ""), _negated=True), ("customer_told_at__isnull", False)
                            ),
                            _connector="OR",
                        ),
                        name="visits_appointmentchange_told_with_reason",
                        violation_error_message="A change or cancellation needs a reason and when the customer was told.",
                    ),
                ),
                migrations.AddIndex(
                    model_name="commitment",
                    index=models.Index(
                        fields=["owner", "status", "due_on"], name="visits_commitment_owner_due"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="commitment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("text", ""), _negated=True),
                        name="visits_commitment_has_text",
                        violation_error_message="Write what was promised.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="commitment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "cancelled"), _negated=True),
                            models.Q(("close_note", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="visits_commitment_cancel_reason",
                        violation_error_message="Say why the promise is cancelled.",
                    ),
                ),
                migrations.AddIndex(
                    model_name="openquestion",
                    index=models.Index(
                        fields=["owner", "status", "due_on"], name="visits_question_owner_due"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="openquestion",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("text", ""), _negated=True),
                        name="visits_openquestion_has_text",
                        violation_error_message="Write the question.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="openquestion",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("status", "open"),
                            models.Q(models.Q(("answer", ""), _negated=True), ("answered_at__isnull", False)),
                            _connector="OR",
                        ),
                        name="visits_openquestion_answered_with_text",
                        violation_error_message="An answered question needs the answer.",
                    ),
                ),
            ],
        ),
    ]
