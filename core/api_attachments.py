"""``/api/v1/attachment-files/`` (issue 14 item 2): the attachments of a record, for integrations (the WeChat
mini-program sends the photo of a signed form with the leave). ``/api/v1/attachments/`` is 跟班学习 (API.md),
hence the name.

- ``GET ?target=attendance.leaverequest&object_id=12`` — the record's files, every version (newest first
  within a document); the record must be in the caller's scope (else 404).
- ``POST`` multipart ``{target, object_id, attachment, note?}`` → 201; the same checks as the page (type by
  content, ``MAX_ATTACHMENT_BYTES``, who may attach: 403).
- ``GET {id}/`` the row; ``GET {id}/download/`` (``?inline=1``) the file, audited;
  ``POST {id}/replace/`` multipart ``{attachment, note?}`` → the new version; ``POST {id}/withdraw/`` ``{reason}``.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core import attachments as svc
from core.api import Pagination, router
from core.models import FileAttachment
from core.uploads import ATTACHMENT_FIELD
from core.views_attachments import serve_file


class FileAttachmentSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
    object_id = serializers.IntegerField(source="target_id", read_only=True)
    mime = serializers.CharField(read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    withdrawn_by = serializers.CharField(source="withdrawn_by.username", read_only=True, default=None)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = FileAttachment
        fields = ["id", "target", "object_id", "series", "version", "current", "name", "kind", "mime", "size",
                  "sha256", "note", "uploaded_by", "uploaded_at", "withdrawn_at", "withdrawn_by", "withdraw_reason",
                  "download_url"]
        read_only_fields = fields

    def get_target(self, obj) -> str:
        ct = ContentType.objects.get_for_id(obj.target_type_id)
        return f"{ct.app_label}.{ct.model}"

    def get_download_url(self, obj) -> str:
        return reverse("attachmentfile-download", args=[obj.pk])


class UploadSerializer(serializers.Serializer):
    target = serializers.CharField(required=False, help_text=_("记录类型，如 attendance.leaverequest"))
    object_id = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    attachment = serializers.FileField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


def _refused(request) -> None:
    """A file the upload handler stopped reading (too large) is a 400 on its field, not "required"."""
    request.data  # noqa: B018  (parsing the body is what runs the upload handler)
    message = getattr(request._request, "upload_refused", {}).get(ATTACHMENT_FIELD)
    if message:
        raise ValidationError({ATTACHMENT_FIELD: [message]})


@extend_schema(tags=["attachments"])
class FileAttachmentViewSet(viewsets.GenericViewSet):
    serializer_class = FileAttachmentSerializer
    pagination_class = Pagination
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    queryset = FileAttachment.objects.none()

    def _record(self, label, object_id):
        entry = svc.entry_for(label or "")
        if entry is None:
            raise ValidationError({"target": [_("这类记录不能上传附件。")]})
        if not object_id:
            raise ValidationError({"object_id": [_("请指定记录编号。")]})
        return get_object_or_404(entry.visible(self.request.user), pk=object_id)

    def _attachment(self, pk):
        if not str(pk).isdigit() or int(pk) > 2**62:
            raise Http404
        att = get_object_or_404(FileAttachment.objects.select_related("uploaded_by", "withdrawn_by"), pk=pk)
        target = svc.attachment_target(att, user=self.request.user)
        if target is None:
            raise Http404
        return att, target

    @extend_schema(parameters=[OpenApiParameter("target", str, required=True),
                               OpenApiParameter("object_id", int, required=True)])
    def list(self, request):
        params = UploadSerializer(data={k: request.query_params.get(k) for k in ("target", "object_id")
                                        if request.query_params.get(k)})
        params.is_valid(raise_exception=True)
        target = self._record(params.validated_data.get("target"), params.validated_data.get("object_id"))
        rows = [row for s in svc.attachments_of(target) for row in [s.latest, *s.older]]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: FileAttachmentSerializer})
    def create(self, request):
        _refused(request)
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = self._record(data.validated_data.get("target"), data.validated_data.get("object_id"))
        att = svc.attachment_add(target=target, upload=data.validated_data.get("attachment"),
                                 note=data.validated_data["note"], by=request.user)
        return Response(self.get_serializer(att).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        att, _target = self._attachment(pk)
        return Response(self.get_serializer(att).data)

    @extend_schema(parameters=[OpenApiParameter("inline", int, required=False)], responses={200: OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        att, target = self._attachment(pk)
        return serve_file(request, att, target, inline=request.query_params.get("inline") == "1")

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: FileAttachmentSerializer})
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        att, target = self._attachment(pk)
        _refused(request)
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = svc.attachment_replace(attachment=att, target=target, upload=data.validated_data.get("attachment"),
                                     note=data.validated_data["note"], by=request.user)
        return Response(self.get_serializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawSerializer, responses={200: FileAttachmentSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        att, target = self._attachment(pk)
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = svc.attachment_withdraw(attachment=att, target=target, reason=data.validated_data["reason"],
                                       by=request.user)
        return Response(self.get_serializer(done).data)


router.register("attachment-files", FileAttachmentViewSet, basename="attachmentfile")
