from rest_framework import serializers

from baifang.org.models import OrgUnit, Position, PositionAssignment, User


class OrgUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "parent", "path"]


class PositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "code", "name", "kind"]


class AssignmentSerializer(serializers.ModelSerializer):
    position = PositionSerializer(read_only=True)

    class Meta:
        model = PositionAssignment
        fields = ["position", "unit"]


class UserSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "unit", "is_active", "assignments"]
