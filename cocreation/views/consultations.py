"""Views of the public consultations of civil society: thin, each calling one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cocreation import policy, selectors, services
from cocreation.filters import ConsultationFilters
from cocreation.forms.dialogue import ConsultationForm
from cocreation.selectors.records import consultation_warnings
from evidence.selectors import evidence_panel
from pal_portal.forms import add_service_errors
from pal_portal.listing import paginate


def _consultation_url(consultation) -> str:
    return reverse(
        "cocreation:consultation_detail",
        kwargs={"pk": consultation.secretariat_id, "consultation_pk": consultation.pk},
    )


def _saved(request, consultation, message):
    messages.success(request, message)
    for warning in consultation_warnings(consultation=consultation):
        messages.warning(request, warning)
    return redirect(_consultation_url(consultation))


@login_required
def consultation_list(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk)
    filters = ConsultationFilters(request.GET)
    consultations = selectors.consultation_list(secretariat=secretariat, **filters.values)
    return render(
        request,
        "cocreation/consultation_list.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "page": paginate(request, consultations),
            "filters": filters,
            "can_record": policy.record_actions(stl_access)["record_consultation"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk, need="contribute")
    form = ConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_record(
                secretariat=secretariat, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            return _saved(
                request,
                consultation,
                _("Se registró la consulta «%(title)s». Adjunta ahora la convocatoria.")
                % {"title": consultation},
            )
    return render(
        request,
        "stl/form.html",
        {
            "form": form,
            "title": _("Registrar una consulta pública"),
            "secretariat": secretariat,
            "access": stl_access,
            "cancel_url": reverse("cocreation:consultation_list", kwargs={"pk": secretariat.pk}),
        },
    )


@login_required
def consultation_detail(request, pk, consultation_pk):
    consultation, stl_access = policy.get_consultation_or_404(request.user, pk, consultation_pk)
    secretariat = consultation.secretariat
    return render(
        request,
        "cocreation/consultation_detail.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "consultation": consultation,
            "evidence_panel": evidence_panel(
                request=request,
                subject=consultation,
                user=request.user,
                next_url=request.get_full_path(),
                stl_access=stl_access,
            ),
            **selectors.consultation_detail(consultation=consultation, stl_access=stl_access),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk, consultation_pk):
    consultation, stl_access = policy.get_consultation_or_404(
        request.user, pk, consultation_pk, need="contribute"
    )
    secretariat = consultation.secretariat
    title = _("Editar la consulta «%(title)s»") % {"title": consultation}
    form = ConsultationForm(request.POST or None, instance=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_update(
                consultation=consultation, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            return _saved(request, consultation, _("Se guardaron los cambios de la consulta."))
    return render(
        request,
        "stl/form.html",
        {
            "form": form,
            "title": title,
            "secretariat": secretariat,
            "access": stl_access,
            "cancel_url": _consultation_url(consultation),
        },
    )
