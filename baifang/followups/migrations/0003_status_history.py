"""Status history of open questions and commitments (core.workflow, issue 11).

Questions answered and commitments closed before this migration get the one history row their
answer or closing left (who, when, the note), so every history starts where the object did.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    OpenQuestion = apps.get_model("followups", "OpenQuestion")
    Commitment = apps.get_model("followups", "Commitment")
    QuestionStatusChange = apps.get_model("followups", "QuestionStatusChange")
    CommitmentStatusChange = apps.get_model("followups", "CommitmentStatusChange")
    for question in OpenQuestion.objects.filter(status="answered", answered_by__isnull=False).iterator():
        row = QuestionStatusChange.objects.create(
            question=question,
            old_status="open",
            new_status="answered",
            transition="answer",
            changed_by_id=question.answered_by_id,
            comment=question.answer,
        )
        QuestionStatusChange.objects.filter(pk=row.pk).update(changed_at=question.answered_at)
    names = {"done": "complete", "cancelled": "cancel"}
    for commitment in Commitment.objects.filter(status__in=names, closed_by__isnull=False).iterator():
        row = CommitmentStatusChange.objects.create(
            commitment=commitment,
            old_status="open",
            new_status=commitment.status,
            transition=names[commitment.status],
            changed_by_id=commitment.closed_by_id,
            comment=commitment.close_note,
        )
        CommitmentStatusChange.objects.filter(pk=row.pk).update(changed_at=commitment.closed_at)


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0002_move_content_types'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CommitmentStatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('transition', models.CharField(max_length=30, verbose_name='action')),
                ('comment', models.TextField(blank=True, verbose_name='comment')),
                ('changed_at', models.DateTimeField(auto_now_add=True, verbose_name='time')),
                ('old_status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('cancelled', 'Cancelled')], max_length=10, verbose_name='from')),
                ('new_status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('cancelled', 'Cancelled')], max_length=10, verbose_name='to')),
                ('changed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('commitment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='followups.commitment', verbose_name='commitment')),
            ],
            options={
                'verbose_name': 'commitment status change',
                'verbose_name_plural': 'commitment status changes',
                'ordering': ['changed_at', 'id'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='QuestionStatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('transition', models.CharField(max_length=30, verbose_name='action')),
                ('comment', models.TextField(blank=True, verbose_name='comment')),
                ('changed_at', models.DateTimeField(auto_now_add=True, verbose_name='time')),
                ('old_status', models.CharField(choices=[('open', 'Open'), ('answered', 'Answered')], max_length=10, verbose_name='from')),
                ('new_status', models.CharField(choices=[('open', 'Open'), ('answered', 'Answered')], max_length=10, verbose_name='to')),
                ('changed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='followups.openquestion', verbose_name='open question')),
            ],
            options={
                'verbose_name': 'open question status change',
                'verbose_name_plural': 'open question status changes',
                'ordering': ['changed_at', 'id'],
                'abstract': False,
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
