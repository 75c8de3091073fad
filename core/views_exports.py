"""The user's export jobs (issue 19 item 5, docs/decisions/024): the list, one job's page with its progress
(htmx polling), and the download — only of the user's own file (404 otherwise), logged in the personal-data
log when the file carries full ID numbers (decision 017)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from core.exports import download_response
from core.filters import ExportJobFilter
from core.listexport import list_page, visible_list_export
from core.selectors import export_job_list


@visible_list_export  # the list itself to Excel, as every list (issue 17)
@login_required
def export_list(request):
    f = ExportJobFilter(request.GET, export_job_list(user=request.user), request=request)
    page_obj = list_page(request, f.qs.order_by("-created_at", "-pk"), 20)
    return render(request, "core/export_list.html", {"filter": f, "page_obj": page_obj})


@login_required
def export_detail(request, pk):
    job = get_object_or_404(export_job_list(user=request.user), pk=pk)
    return render(request, "core/export_detail.html", {"job": job})


@login_required
def export_progress(request, pk):
    """htmx: the job's state; the page reloads once it has finished (to show the download link)."""
    job = get_object_or_404(export_job_list(user=request.user), pk=pk)
    response = render(request, "core/_export_progress.html", {"job": job})
    if not job.in_progress and request.GET.get("was") in ("queued", "running"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def export_download(request, pk):
    job = get_object_or_404(export_job_list(user=request.user), pk=pk)
    if not job.downloadable():
        return render(request, "core/export_detail.html", {"job": job}, status=410 if job.is_expired() else 409)
    return download_response(request, job)

