"""Shared API pieces: the router every app registers on, pagination, the error handler."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from core.audit import record_event
from core.errors import Conflict

router = DefaultRouter()


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def django_error_to_drf(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError({k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()})
    return ValidationError({"detail": " ".join(exc.messages)})


def exception_handler(exc, context):
    """Conflict → 409, Django ValidationError → 400 with field errors, 403/404 in Chinese; audit denials."""
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = django_error_to_drf(exc)
    if isinstance(exc, Http404):
        return Response({"detail": _("未找到，或不在您的管辖范围内。")}, status=status.HTTP_404_NOT_FOUND)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 403:
        record_event(context.get("request"), "api_denied", "denied", detail=str(exc))
    if isinstance(exc, PermissionDenied) and response is not None:
        response.data = {"detail": str(exc) or _("您的角色无权执行此操作。")}
    return response
