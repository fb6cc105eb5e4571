"""Views of the dialogue tables (mesas de diálogo): thin, each calling one service or selector."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cocreation import policy, selectors, services
from cocreation.filters import DialogueTableFilters
from cocreation.forms.dialogue import DialogueTableForm, MinutesAnswerForm
from cocreation.services.dialogue import format_attendance_register
from evidence.selectors import evidence_panel
from pal_portal.forms import add_service_errors
from pal_portal.listing import paginate


def _table_url(table) -> str:
    return reverse(
        "cocreation:table_detail", kwargs={"pk": table.secretariat_id, "table_pk": table.pk}
    )


@login_required
def table_list(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk)
    nuclei = selectors.record_nuclei(secretariat=secretariat)
    filters = DialogueTableFilters(request.GET, nuclei=nuclei)
    tables = selectors.dialogue_table_list(secretariat=secretariat, **filters.values)
    return render(
        request,
        "cocreation/dialogue_table_list.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "can_log": policy.record_actions(stl_access)["log_table"],
            "page": paginate(request, tables),
            "filters": filters,
            "nuclei_without_tables": [nucleus for nucleus in nuclei if not nucleus.has_tables],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def table_create(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk)
    nuclei = selectors.nuclei_for_logging(
        secretariat=secretariat, user=request.user, stl_access=stl_access
    )
    if not nuclei.exists():
        raise Http404
    form = DialogueTableForm(request.POST or None, nuclei=nuclei)
    if request.method == "POST" and form.is_valid():
        try:
            table = services.dialogue_table_log(
                secretariat=secretariat, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Se registró la %(table)s.") % {"table": table})
            return redirect(_table_url(table))
    return render(
        request,
        "stl/form.html",
        {
            "form": form,
            "title": _("Registrar una mesa de diálogo"),
            "secretariat": secretariat,
            "access": stl_access,
            "cancel_url": reverse("cocreation:table_list", kwargs={"pk": secretariat.pk}),
        },
    )


@login_required
def table_detail(request, pk, table_pk):
    table, stl_access = policy.get_dialogue_table_or_404(request.user, pk, table_pk)
    secretariat = table.secretariat
    context = selectors.dialogue_table_detail(table=table, user=request.user, stl_access=stl_access)
    return render(
        request,
        "cocreation/dialogue_table_detail.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "table": table,
            "evidence_panel": evidence_panel(
                request=request,
                subject=table,
                user=request.user,
                next_url=request.get_full_path(),
                stl_access=stl_access,
            ),
            **context,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def table_edit(request, pk, table_pk):
    table, stl_access = policy.get_dialogue_table_or_404(
        request.user, pk, table_pk, need="edit_table"
    )
    secretariat = table.secretariat
    title = _("Editar la %(table)s") % {"table": table}
    form = DialogueTableForm(
        request.POST or None,
        instance=table,
        initial={"attendees": format_attendance_register(table.attendees.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.dialogue_table_update(table=table, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Se guardaron los cambios de la mesa."))
            return redirect(_table_url(table))
    return render(
        request,
        "stl/form.html",
        {
            "form": form,
            "title": title,
            "secretariat": secretariat,
            "access": stl_access,
            "cancel_url": _table_url(table),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def table_minutes(request, pk, table_pk):
    table, stl_access = policy.get_dialogue_table_or_404(
        request.user, pk, table_pk, need="answer_minutes"
    )
    secretariat = table.secretariat
    if not table.minutes or table.minutes_approved_at is not None:
        messages.info(
            request,
            _("La minuta ya fue aprobada.")
            if table.minutes
            else _("Esta mesa aún no tiene minuta que aprobar."),
        )
        return redirect(_table_url(table))
    form = MinutesAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_answer(table=table, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            if table.minutes_approved_at is not None:
                messages.success(
                    request, _("Registramos tu respuesta. Con ella, la minuta quedó aprobada.")
                )
            else:
                messages.success(request, _("Registramos tu respuesta sobre la minuta."))
            return redirect(_table_url(table))
    return render(
        request,
        "cocreation/minutes_answer.html",
        {"form": form, "secretariat": secretariat, "access": stl_access, "table": table},
    )
