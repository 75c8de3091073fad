"""/api/v1/export-jobs/: the user's own export jobs (issue 19 item 5, docs/decisions/024) — how far each is and,
once done, its file. A report asked with ``async=1`` (the ledger: ``/api/v1/reports/ledger/?format=xlsx&async=1``)
answers 202 with one of these instead of building the file in the request. Another user's job is a 404."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import router
from core.exports import download_response
from core.filters import ExportJobFilter
from core.models import ExportJob
from core.selectors import export_job_list


class ExportJobSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField(help_text="完成后的下载地址；未完成、失败或已过期时为 null")

    class Meta:
        model = ExportJob
        fields = ["id", "kind", "label", "status", "done", "total", "error", "created_at", "finished_at",
                  "expires_at", "download"]
        read_only_fields = fields

    def get_download(self, job) -> str | None:
        if not job.downloadable():
            return None
        return self.context["request"].build_absolute_uri(reverse("exportjob-download", args=[job.pk]))


def accepted(request, job) -> Response:
    """202 for a report handed to an export job: the job, and its address in ``Location``."""
    url = request.build_absolute_uri(reverse("exportjob-detail", args=[job.pk]))
    data = ExportJobSerializer(job, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": url})


class ExportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """The signed-in user's export jobs, newest first (filters as the 我的导出 page: ``q``, ``status``)."""

    serializer_class = ExportJobSerializer
    filterset_class = ExportJobFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ExportJob.objects.none()
        return export_job_list(user=self.request.user).order_by("-created_at", "-pk")

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 409: None, 410: None})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The finished file: 409 while it is being made or after it failed, 410 once it has expired."""
        job = self.get_object()
        if job.is_expired():
            return Response({"detail": _("已过期：文件只保留一段时间，已删除。请回到原页面重新导出。")},
                            status=status.HTTP_410_GONE)
        if not job.downloadable():
            return Response({"detail": _("文件还没有生成好（%(s)s）。") % {"s": job.get_status_display()},
                             "status": job.status}, status=status.HTTP_409_CONFLICT)
        return download_response(request, job)


router.register("export-jobs", ExportJobViewSet, basename="exportjob")
