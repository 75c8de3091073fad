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

from core.audit import MAX_SUBJECTS, log_personal_data, record_event
from core.errors import Conflict
from core.permissions import enforce
from core.scope import get_scope

router = DefaultRouter()


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class PersonalDataReadLog:
    """Issue 14 item 5 for a viewset whose answers carry personal numbers: a detail read (``GET …/{id}/``) or a
    list page that shows them in full to the caller is logged (接口读取详情 / 接口读取列表) with the people shown.
    The viewset says what it shows with ``personal_fields`` and, per record, ``shows_in_full(scope, obj)``
    (default: the serializer's ``personal_county_id`` and ``Scope.sees_personal_data``) and
    ``personal_subject(obj)`` (default: ``(obj.pk, obj.name)``)."""

    personal_fields: tuple[str, ...] = ("id_number", "phone")
    personal_label = ""  # what the records are, in words ("后备干部")

    def shows_in_full(self, scope, obj) -> bool:
        if not hasattr(self, "_personal_serializer"):
            self._personal_serializer = self.get_serializer()
        return scope.sees_personal_data(self._personal_serializer.personal_county_id(obj))

    def personal_subject(self, obj) -> tuple[int, str]:
        return obj.pk, obj.name

    def log_personal_read(self, objects, *, detail: bool) -> None:
        scope = get_scope(self.request.user)
        shown = [obj for obj in objects if self.shows_in_full(scope, obj)]
        if not shown:
            return
        names = [self.personal_subject(obj) for obj in shown]
        what = (_("%(k)s：%(n)s") % {"k": self.personal_label, "n": names[0][1]} if detail
                else _("%(k)s列表（第%(p)s页）") % {"k": self.personal_label,
                                                  "p": self.request.query_params.get("page", "1")[:6]})
        log_personal_data(self.request, kind="pd_api_detail" if detail else "pd_api_list", what=what,
                          scope_label=_("接口"), people=len(shown), fields=self.personal_fields,
                          subjects=names[:MAX_SUBJECTS])

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        self.log_personal_read([instance], detail=True)
        return Response(data)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        data = self.get_serializer(rows, many=True).data
        self.log_personal_read(rows, detail=False)
        return self.get_paginated_response(data) if page is not None else Response(data)


def validated_body(serializer_class, request) -> dict:
    """The request body checked by ``serializer_class`` (400 with the field errors when it is wrong)."""
    ser = serializer_class(data=request.data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


class ServiceActions:
    """A viewset's POST actions on the object of the URL that go through a service: 404 outside the caller's
    scope, 403 before the body is read unless ``decision(scope, obj)`` allows it, 400 for a wrong body, the
    service's own 400/403/409, and the object answered as the viewset serializes it."""

    def allowed_object(self, decision=None, message=None):
        """The object of the URL (404 outside the scope); 403 with ``message`` unless ``decision`` allows it."""
        obj = self.get_object()
        if decision is not None:
            enforce(decision(get_scope(self.request.user), obj), message)
        return obj

    def service_action(self, body, service, name, *, decision=None, message=None, reread=False):
        """``service(<name>=obj, by=user, **body)`` (``body=None``: the action reads no body); ``reread``: answer
        the object as ``get_queryset`` reads it again rather than what the service returned."""
        obj = self.allowed_object(decision, message)
        data = validated_body(body, self.request) if body is not None else {}
        result = service(**{name: obj}, by=self.request.user, **data)
        if reread:
            result = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(result).data)


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
