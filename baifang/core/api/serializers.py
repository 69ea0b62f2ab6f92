from rest_framework import serializers

from baifang.core.api.fields import BoundedDateField, FlatListField
from baifang.core.models import ImportBatch, Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "created_at", "kind", "text", "url", "read_at"]


class WorkdaySerializer(serializers.Serializer):
    date = BoundedDateField()
    is_workday = serializers.BooleanField()
    source = serializers.CharField(help_text="override / official / estimated / weekdays")


class FestivalSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    date = BoundedDateField()
    lunar = serializers.BooleanField()


class CalendarQuerySerializer(serializers.Serializer):
    start = BoundedDateField()
    end = BoundedDateField()

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": ["The end date must not be before the start date."]})
        if (attrs["end"] - attrs["start"]).days > 400:
            raise serializers.ValidationError({"end": ["Ask for at most 400 days at a time."]})
        return attrs


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1901, max_value=2099)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ImportBatchSerializer(serializers.ModelSerializer):
    errors = ImportErrorSerializer(many=True, read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "status",
            "dry_run",
            "source_name",
            "total_rows",
            "processed_rows",
            "progress_percent",
            "documents_new",
            "documents_unchanged",
            "lines_written",
            "error_count",
            "errors",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class BulkSerializer(serializers.Serializer):
    """A batch of rows as the ERP sends them: each row an object keyed by the file's column keys."""

    dry_run = serializers.BooleanField(default=False)
    rows = FlatListField(
        child=serializers.DictField(
            child=serializers.CharField(allow_blank=True, allow_null=True, max_length=200)
        ),
        min_length=1,
        max_length=100_000,
    )
