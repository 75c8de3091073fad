"""Attachment pages (issue 14 item 2, decision 019): upload, replace, withdraw, and the one view that serves a
stored file — after reading the record it belongs to through that record's scoped selector (404 outside the
user's scope, like the record's own page). Every file served is an audit event (下载附件 / 预览附件)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import attachments as svc
from core.audit import record_event
from core.errors import Conflict
from core.excel import upload_form_valid
from core.forms import AttachmentForm, AttachmentWithdrawForm
from core.models import AuditEvent, FileAttachment
from core.permissions import enforce
from core.web import apply_errors, safe_next


def _target_or_404(request, att: FileAttachment):
    target = svc.attachment_target(att, user=request.user)
    if target is None:
        raise Http404(_("附件不存在或不在您的管理范围内。"))
    return target


def _back(request, target) -> str:
    return safe_next(request, svc.entry_for(target).url(target)) + "#attachments"


def _form_page(request, *, target, form, title, action_label, mode, attachment=None, status=200):
    return render(request, "core/attachment_form.html", {
        "target": target, "target_label": svc.entry_for(target).model._meta.verbose_name, "form": form,
        "title": title, "action_label": action_label, "mode": mode, "attachment": attachment,
        "back": svc.entry_for(target).url(target), "next": safe_next(request, "")}, status=status)


@login_required
def attachment_add(request, label, object_id):
    entry = svc.entry_for(label)
    if entry is None:
        raise Http404
    target = get_object_or_404(entry.visible(request.user), pk=object_id)
    enforce(svc.can_attach(request.user, target), _("您无权为这条记录上传附件。"))
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if upload_form_valid(request, form):
            try:
                att = svc.attachment_add(target=target, upload=form.cleaned_data["attachment"],
                                         note=form.cleaned_data["note"], by=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已上传附件“%(n)s”。") % {"n": att.name})
                return redirect(_back(request, target))
        return _form_page(request, target=target, form=form, title=_("上传附件"), action_label=_("上传"), mode="add", status=400)
    return _form_page(request, target=target, form=form, title=_("上传附件"), action_label=_("上传"), mode="add")


def _current_in_scope(request, pk):
    att = get_object_or_404(FileAttachment, pk=pk)
    target = _target_or_404(request, att)
    enforce(svc.can_attach(request.user, target), _("您无权修改这条记录的附件。"))
    return att, target


def _change_page(request, att, target, form, *, is_valid, write, done, title, action_label, mode):
    """Replace or withdraw ``att``: on a POST that ``is_valid()``, ``write()`` (the service) and back to the
    record saying ``done(result)``; a Conflict (a newer version, already withdrawn) goes back with its message;
    otherwise the form (again)."""
    status = 200
    if request.method == "POST":
        if is_valid():
            try:
                result = write()
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(_back(request, target))
            else:
                messages.success(request, done(result))
                return redirect(_back(request, target))
        status = 400
    return _form_page(request, target=target, form=form, title=title, action_label=action_label, mode=mode,
                      attachment=att, status=status)


@login_required
def attachment_replace(request, pk):
    att, target = _current_in_scope(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None, initial={"note": att.note})
    return _change_page(
        request, att, target, form, is_valid=lambda: upload_form_valid(request, form),
        write=lambda: svc.attachment_replace(attachment=att, target=target, upload=form.cleaned_data["attachment"],
                                             note=form.cleaned_data["note"], by=request.user),
        done=lambda new: _("已替换为“%(n)s”（第 %(v)s 版），原文件仍保留在历史版本中。") % {"n": new.name, "v": new.version},
        title=_("替换附件“%(n)s”") % {"n": att.name}, action_label=_("替换"), mode="replace")


@login_required
def attachment_withdraw(request, pk):
    att, target = _current_in_scope(request, pk)
    form = AttachmentWithdrawForm(request.POST or None)
    return _change_page(
        request, att, target, form, is_valid=form.is_valid,
        write=lambda: svc.attachment_withdraw(attachment=att, target=target, reason=form.cleaned_data["reason"],
                                              by=request.user),
        done=lambda _att: _("已撤下附件“%(n)s”；文件仍保留，可在“已撤下的附件”中查看。") % {"n": att.name},
        title=_("撤下附件“%(n)s”") % {"n": att.name}, action_label=_("撤下"), mode="withdraw")


def serve_file(request, att: FileAttachment, target, *, inline: bool):
    """The stored file of ``att`` (whose record ``target`` the caller already read in scope), logged.
    ``inline`` shows an image or a PDF in the browser (Content-Disposition: inline); anything else
    downloads. Never cached by a shared proxy; the browser may not guess another type than the one sniffed
    at upload. The page and the API both answer through here."""
    inline = inline and bool(att.previewable)
    try:
        handle = att.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("附件文件已丢失，请联系管理员。")) from exc
    record_event(request, "attachment_view" if inline else "attachment_download", AuditEvent.Outcome.SUCCESS,
                 detail=_("%(n)s（%(m)s：%(t)s，第 %(v)s 版，附件编号 %(id)s）") % {
                     "n": att.name, "m": svc.entry_for(target).model._meta.verbose_name, "t": target,
                     "v": att.version, "id": att.pk})
    response = FileResponse(handle, content_type=att.mime, as_attachment=not inline, filename=att.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def attachment_file(request, pk):
    """``/files/<id>/`` (``?inline=1`` to preview): 404 unless the user sees the record the file belongs to."""
    att = get_object_or_404(FileAttachment, pk=pk)
    target = _target_or_404(request, att)
    return serve_file(request, att, target, inline=request.GET.get("inline") == "1")
