from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from core import messaging, personal
from core.models import County, RoleAssignment, Township, User, Village
from core.roles import Role
from core.scope import get_scope


class PersonalNumbersMixin:
    """R-03 for a serializer with ``id_number`` and ``phone``: answers show them masked unless the caller
    sees the record's county in full (``Scope.sees_personal_data``; masked when there is no request), and a
    write that sends back the masked value it was shown keeps the stored number. Subclasses name the
    record's county with ``personal_county_id(instance)``."""

    personal_fields = ("id_number", "phone")

    def personal_county_id(self, instance) -> int:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        full = request is not None and get_scope(request.user).sees_personal_data(self.personal_county_id(instance))
        for name in self.personal_fields:
            if name in data:
                data[name] = personal.shown(data[name], name, full=full)
        return data

    def _unmask(self, name, value):
        stored = getattr(self.instance, name, "") if self.instance is not None else ""
        try:
            return personal.unmask(value, stored, name)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_id_number(self, value):
        return self._unmask("id_number", value)

    def validate_phone(self, value):
        return self._unmask("phone", value)


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
        # the service decides duplicates (the same role again: the existing row; a parallel race: 409);
        # DRF's validator for the partial unique index would answer 400 only for whoever comes second
        validators = []


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField()
    new_password = serializers.CharField()


class MessagePreferenceSerializer(serializers.Serializer):
    """A person's own 消息提醒 (issue 14 item 1): e-mail address, the kinds e-mailed, or a daily digest."""

    email = serializers.CharField(max_length=254, allow_blank=True, required=False, default="")
    email_kinds = serializers.ListField(child=serializers.ChoiceField(choices=messaging.GROUP_KEYS), required=False,
                                        default=list, max_length=len(messaging.GROUP_KEYS))
    digest = serializers.BooleanField(required=False, default=False)
