"""Views of the evidence vault: thin, each reading the request and calling one service.

Upload views (upload, supersede, public version) are ``csrf_exempt`` only on the outside: they
first check access and the declared body size without reading the body, install the streaming
``EvidenceUploadHandler``, and then hand over to an inner view under ``csrf_protect``. Django's
CSRF middleware would otherwise read the body before the handler is in place (see "Modifying
upload handlers on the fly" in Django's documentation).

A download whose stored file is missing or altered answers 409 with an explanation; the incident
is logged to ``pal_portal.security`` and in the evidence log.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from evidence import policy as access
from evidence import selectors, services
from evidence.file_checks import limit_label
from evidence.filters import EvidenceFilters
from evidence.forms import (
    EvidenceSupersedeForm,
    EvidenceUploadForm,
    EvidenceWithdrawForm,
    PublicVersionForm,
)
from evidence.models import Evidence
from evidence.uploads import EvidenceUploadHandler, max_body_bytes
from pal_portal.listing import paginate


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _printable(name: str) -> str:
    return "".join(char if char.isprintable() else "\ufffd" for char in name)


def _body_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_body_bytes()


def _body_too_large_message() -> str:
    return _(
        "El envío pesa más de %(limit)s, el máximo permitido. Sube los archivos en varios envíos."
    ) % {"limit": limit_label()}


def _too_large_message() -> str:
    return _("El archivo pesa más de %(limit)s, el máximo permitido.") % {"limit": limit_label()}


def _stream_uploads(request) -> EvidenceUploadHandler:
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    return handler


def _add_file_errors(form, name: str, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, f"«{_printable(name)}»: {message}")


def _report_cleaning(request, evidence: Evidence) -> None:
    """Tell the user what was removed from a file before it was stored (active content)."""
    for notice in getattr(evidence, "upload_notices", ()):
        messages.warning(request, f"«{_printable(evidence.original_name)}»: {notice}")


def _subject_redirect(evidence: Evidence):
    return redirect(
        selectors.subject_url(
            secretariat_id=evidence.secretariat_id,
            subject_key=access.subject_type_of_evidence(evidence).key,
            subject_id=evidence.subject_id,
        )
    )


def _unchangeable(request, evidence: Evidence):
    """Send back to the subject with the policy's reason when nobody may change ``evidence``."""
    refusal = access.change_refusal(evidence)
    if refusal is None:
        return None
    messages.error(request, refusal)
    return _subject_redirect(evidence)


def _file_response(opened: services.OpenedFile) -> FileResponse:
    response = FileResponse(
        opened.file, as_attachment=True, filename=opened.name, content_type=opened.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def _integrity_refusal(request, secretariat, error: services.EvidenceIntegrityError):
    return render(
        request,
        "evidence/integrity_error.html",
        {"secretariat": secretariat, "message": error.message},
        status=409,
    )


# --- lists --------------------------------------------------------------------------------------


@require_GET
def secretariat_list(request, pk):
    secretariat, evidence_access = access.get_evidence_secretariat_or_404(request.user, pk)
    filters = EvidenceFilters(request.GET)
    page = paginate(request, selectors.evidence_subjects(secretariat=secretariat, **filters.values))
    return render(
        request,
        "evidence/secretariat_list.html",
        {
            "secretariat": secretariat,
            "access": evidence_access,
            "page": page,
            "summaries": selectors.subject_summaries(
                secretariat=secretariat, rows=page.object_list
            ),
            "filters": filters,
            "installation_url": selectors.subject_url(
                secretariat_id=secretariat.pk,
                subject_key="stl.secretariat",
                subject_id=secretariat.pk,
            ),
            "exports": (
                selectors.recent_exports(secretariat=secretariat, user=request.user)
                if evidence_access.can_export
                else []
            ),
        },
    )


@csrf_exempt  # CSRF is checked by _subject_page, once the upload handler is in place.
@require_http_methods(["GET", "POST"])
def subject(request, pk, subject_type, subject_id):
    secretariat, _type, subject_obj, evidence_access = access.get_evidence_subject_or_404(
        request.user, pk, subject_type, subject_id
    )
    handler = None
    if request.method == "POST":
        if not evidence_access.can_attach:
            raise Http404
        if _body_too_large(request):
            form = EvidenceUploadForm.refused(_body_too_large_message())
            return _render_subject(request, subject_obj, form, evidence_access, status=413)
        handler = _stream_uploads(request)
    return _subject_page(
        request, subject_obj=subject_obj, evidence_access=evidence_access, handler=handler
    )


@csrf_protect
def _subject_page(request, *, subject_obj, evidence_access, handler):
    form = None
    if request.method == "POST":
        form = EvidenceUploadForm(request.POST, request.FILES)
        valid = form.is_valid()
        if handler.too_large and "files" in form.errors:
            del form.errors["files"]  # the file was there, just too large
        for name in handler.too_large:
            form.add_error(None, f"«{_printable(name)}»: {_too_large_message()}")
        attached = []
        if valid:
            for upload in form.cleaned_data["files"]:
                try:
                    attached.append(
                        services.evidence_attach(
                            subject=subject_obj,
                            uploaded_file=upload,
                            kind=form.cleaned_data["kind"],
                            description=form.cleaned_data["description"],
                            contains_personal_data=form.cleaned_data["contains_personal_data"],
                            user=request.user,
                            ip_address=_ip(request),
                        )
                    )
                except ValidationError as error:
                    _add_file_errors(form, getattr(upload, "client_name", upload.name), error)
                except PermissionDenied:
                    raise Http404 from None
        for evidence in attached:
            _report_cleaning(request, evidence)
        if attached:
            messages.success(
                request,
                ngettext(
                    "Se adjuntó %(count)d archivo.",
                    "Se adjuntaron %(count)d archivos.",
                    len(attached),
                )
                % {"count": len(attached)},
            )
        if valid and not form.errors:
            next_url = form.cleaned_data.get("next")
            if next_url and url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(next_url)
            return redirect(request.path)
    return _render_subject(request, subject_obj, form, evidence_access)


def _render_subject(request, subject_obj, form, evidence_access, *, status=200):
    panel = selectors.evidence_panel(
        request=request,
        subject=subject_obj,
        user=request.user,
        form=form,
        evidence_access=evidence_access,
    )
    return render(request, "evidence/subject.html", {"panel": panel}, status=status)


# --- one file -----------------------------------------------------------------------------------


@require_GET
def download(request, pk, evidence_id):
    evidence, _access = access.get_evidence_or_404(request.user, evidence_id, secretariat_pk=pk)
    try:
        opened = services.evidence_open(
            evidence=evidence, user=request.user, ip_address=_ip(request)
        )
    except services.EvidenceIntegrityError as error:
        return _integrity_refusal(request, evidence.secretariat, error)
    except PermissionDenied:
        raise Http404 from None
    return _file_response(opened)


def _evidence_form_page(request, evidence, form, *, title, intro, submit, confirm="", status=200):
    return render(
        request,
        "evidence/form.html",
        {
            "evidence": evidence,
            "secretariat": evidence.secretariat,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "confirm": confirm,
            "multipart": any(field.widget.needs_multipart_form for field in form.fields.values()),
        },
        status=status,
    )


@csrf_exempt  # CSRF is checked by _supersede_page, once the upload handler is in place.
@require_http_methods(["GET", "POST"])
def supersede(request, pk, evidence_id):
    evidence, _access = access.get_evidence_or_404(
        request.user, evidence_id, secretariat_pk=pk, need="attach"
    )
    if (refused := _unchangeable(request, evidence)) is not None:
        return refused
    handler = None
    if request.method == "POST":
        if _body_too_large(request):
            form = EvidenceSupersedeForm.refused(_body_too_large_message())
            return _supersede_form(request, evidence, form, status=413)
        handler = _stream_uploads(request)
    return _supersede_page(request, evidence=evidence, handler=handler)


def _supersede_form(request, evidence, form, *, status=200):
    return _evidence_form_page(
        request,
        evidence,
        form,
        title=_("Sustituir «%(name)s»") % {"name": evidence.original_name},
        intro=_(
            "La versión actual no se borra: queda marcada como sustituida y visible para "
            "quienes revisan el STL."
        ),
        submit=_("Subir nueva versión"),
        confirm=_("La versión actual quedará sustituida. ¿Continuar?"),
        status=status,
    )


@csrf_protect
def _supersede_page(request, *, evidence, handler):
    form = EvidenceSupersedeForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "description": evidence.description,
            "contains_personal_data": evidence.contains_personal_data,
        },
    )
    if request.method == "POST":
        for name in handler.too_large:
            form.add_error(None, f"«{_printable(name)}»: {_too_large_message()}")
        if form.is_valid() and not handler.too_large:
            upload = form.cleaned_data["file"]
            try:
                new = services.evidence_supersede(
                    evidence=evidence,
                    uploaded_file=upload,
                    description=form.cleaned_data["description"],
                    contains_personal_data=form.cleaned_data["contains_personal_data"],
                    user=request.user,
                    ip_address=_ip(request),
                )
            except ValidationError as error:
                _add_file_errors(form, getattr(upload, "client_name", upload.name), error)
            except PermissionDenied:
                raise Http404 from None
            else:
                _report_cleaning(request, new)
                messages.success(
                    request,
                    _("«%(old)s» quedó sustituida por «%(new)s».")
                    % {"old": evidence.original_name, "new": new.original_name},
                )
                return _subject_redirect(new)
    return _supersede_form(request, evidence, form)


@require_http_methods(["GET", "POST"])
def withdraw(request, pk, evidence_id):
    evidence, _access = access.get_evidence_or_404(
        request.user, evidence_id, secretariat_pk=pk, need="attach"
    )
    if (refused := _unchangeable(request, evidence)) is not None:
        return refused
    form = EvidenceWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_withdraw(
                evidence=evidence,
                reason=form.cleaned_data["withdrawal_reason"],
                user=request.user,
                ip_address=_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Se retiró «%(name)s».") % {"name": evidence.original_name})
            return _subject_redirect(evidence)
    return _evidence_form_page(
        request,
        evidence,
        form,
        title=_("Retirar «%(name)s»") % {"name": evidence.original_name},
        intro=_(
            "El archivo no se borra: queda marcado como retirado, con el motivo, y sigue "
            "disponible para quienes revisan el STL."
        ),
        submit=_("Retirar evidencia"),
        confirm=_("Retirar una evidencia no se puede deshacer. ¿Continuar?"),
    )


@csrf_exempt  # CSRF is checked by _public_version_page, once the upload handler is in place.
@require_http_methods(["GET", "POST"])
def public_version(request, pk, evidence_id):
    evidence, _access = access.get_evidence_or_404(
        request.user, evidence_id, secretariat_pk=pk, need="attach"
    )
    if (refused := _unchangeable(request, evidence)) is not None:
        return refused
    handler = None
    if request.method == "POST":
        if _body_too_large(request):
            form = PublicVersionForm.refused(_body_too_large_message())
            return _public_version_form(request, evidence, form, status=413)
        handler = _stream_uploads(request)
    return _public_version_page(request, evidence=evidence, handler=handler)


def _public_version_form(request, evidence, form, *, status=200):
    return _evidence_form_page(
        request,
        evidence,
        form,
        title=_("Versión pública de «%(name)s»") % {"name": evidence.original_name},
        intro=_(
            "Sube una copia con los datos personales testados (nombres, firmas, domicilios, "
            "teléfonos). Solo esa copia podrá publicarse; el original sigue reservado."
        ),
        submit=_("Subir versión pública"),
        status=status,
    )


@csrf_protect
def _public_version_page(request, *, evidence, handler):
    form = PublicVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        for name in handler.too_large:
            form.add_error(None, f"«{_printable(name)}»: {_too_large_message()}")
        if form.is_valid() and not handler.too_large:
            upload = form.cleaned_data["file"]
            try:
                services.evidence_add_public_version(
                    evidence=evidence,
                    uploaded_file=upload,
                    user=request.user,
                    ip_address=_ip(request),
                )
            except ValidationError as error:
                _add_file_errors(form, getattr(upload, "client_name", upload.name), error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(
                    request,
                    _("Se agregó la versión pública de «%(name)s».")
                    % {"name": evidence.original_name},
                )
                return _subject_redirect(evidence)
    return _public_version_form(request, evidence, form)


# --- ZIP export ---------------------------------------------------------------------------------


def export_start(request, pk):
    secretariat, _access = access.get_evidence_secretariat_or_404(request.user, pk, need="export")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _export_start(request, secretariat=secretariat)


@csrf_protect
def _export_start(request, *, secretariat):
    try:
        export = services.evidence_export_start(
            secretariat=secretariat, user=request.user, ip_address=_ip(request)
        )
    except PermissionDenied:
        raise Http404 from None
    return redirect(export)


@never_cache
@require_GET
def export_status(request, pk, export_id):
    export, _access = access.get_evidence_export_or_404(request.user, export_id, secretariat_pk=pk)
    progress = selectors.export_progress(export=export)
    download_url = (
        reverse(
            "evidence:export_download",
            kwargs={"pk": export.secretariat_id, "export_id": export.pk},
        )
        if export.is_ready
        else ""
    )
    if request.GET.get("formato") == "json":
        return JsonResponse(
            {
                "status": progress.status,
                "status_label": str(progress.label),
                "percent": export.percent,
                "done": export.done,
                "total": export.total,
                "finished": progress.finished,
                "may_retry": progress.may_retry,
                "requested_by": str(progress.requested_by),
                "download_url": download_url,
            }
        )
    return render(
        request,
        "evidence/export_status.html",
        {
            "export": export,
            "progress": progress,
            "secretariat": export.secretariat,
            "download_url": download_url,
        },
    )


def export_retry(request, pk, export_id):
    export, _access = access.get_evidence_export_or_404(request.user, export_id, secretariat_pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.evidence_export_retry(export=export, user=request.user)
    except ValidationError as error:
        messages.info(request, error.messages[0])
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request, _("Se pidió de nuevo la exportación; esta página muestra su avance.")
        )
    return redirect(export)


@require_GET
def export_download(request, pk, export_id):
    export, _access = access.get_evidence_export_or_404(request.user, export_id, secretariat_pk=pk)
    try:
        opened = services.evidence_export_open(
            export=export, user=request.user, ip_address=_ip(request)
        )
    except services.EvidenceIntegrityError as error:
        return _integrity_refusal(request, export.secretariat, error)
    except ValidationError as error:
        messages.info(request, error.messages[0])
        return redirect(export)
    except PermissionDenied:
        raise Http404 from None
    return _file_response(opened)
