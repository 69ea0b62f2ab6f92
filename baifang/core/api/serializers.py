from rest_framework import serializers

from baifang.core.api.fields import BoundedDateField
from baifang.core.models import Notification


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
