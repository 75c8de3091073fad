from rest_framework import serializers

from core.models import County, RoleAssignment, Township, User, Village
from core.roles import Role


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["id", "name", "code"]


class TownshipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Township
        fields = ["id", "county", "name", "code", "kind"]
        extra_kwargs = {"code": {"validators": []}, "kind": {"required": False}}


class VillageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "township", "name", "code", "quota", "kind"]
        extra_kwargs = {"code": {"validators": []}, "kind": {"required": False}, "quota": {"required": False}}


class VacancySerializer(serializers.Serializer):
    village = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    township = serializers.IntegerField(source="township_id")
    active = serializers.IntegerField()
    quota = serializers.IntegerField()


class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True)
    full_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    must_change_password = serializers.BooleanField(required=False, default=True)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "phone", "must_change_password", "is_active"]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=[c for c in Role.choices if c[0] != Role.CADRE])

    class Meta:
        model = RoleAssignment
        fields = ["id", "user", "role", "county", "township", "village", "is_active", "created_at"]
        read_only_fields = ["is_active", "created_at"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField()
    new_password = serializers.CharField()
