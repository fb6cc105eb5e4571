"""The facilitator's neutrality declaration (requirement 4.a): read by all, signed by them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cocreation import policy, services
from cocreation.forms.decisions import NeutralityForm
from cocreation.services.neutrality import neutrality_statement_text
from evidence.selectors import evidence_panel
from pal_portal.forms import add_service_errors
from stl import selectors as stl_selectors


@login_required
@require_http_methods(["GET", "POST"])
def neutrality(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk)
    assignment = stl_selectors.active_facilitator_assignment(secretariat=secretariat)
    can_sign = (
        policy.may(stl_access, "sign_neutrality", assignment)
        and assignment.neutrality_signed_at is None
    )
    form = None
    if can_sign:
        form = NeutralityForm(
            request.POST if request.method == "POST" else None,
            initial={"neutrality_statement": neutrality_statement_text(assignment=assignment)},
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.neutrality_declare(
                    assignment=assignment,
                    statement=form.cleaned_data["neutrality_statement"],
                    declares_no_party=form.cleaned_data["declares_no_party"],
                    user=request.user,
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Firmaste la declaración de neutralidad. Adjunta abajo el documento "
                        "firmado como evidencia."
                    ),
                )
                return redirect("cocreation:neutrality", pk=secretariat.pk)
    return render(
        request,
        "cocreation/neutrality.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "assignment": assignment,
            "form": form,
            "cancel_url": secretariat.get_absolute_url(),
            "evidence_panel": (
                evidence_panel(
                    request=request,
                    subject=assignment,
                    user=request.user,
                    next_url=request.path,
                    stl_access=stl_access,
                )
                if assignment
                else None
            ),
        },
    )
