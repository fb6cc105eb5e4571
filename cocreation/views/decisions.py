"""Views of the decisions (acuerdos) and of the facilitator's neutrality declaration."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cocreation import policy, selectors, services
from cocreation.forms.decisions import DecisionCommentForm, DecisionForm, NeutralityForm, VoteForm
from cocreation.models import Decision
from cocreation.services.decisions import FACILITATOR_HAS_NO_VOTE
from cocreation.services.neutrality import neutrality_statement_text
from evidence.selectors import evidence_panel
from pal_portal.forms import add_service_errors
from stl import policy as access
from stl import selectors as stl_selectors


def _detail_url(decision: Decision) -> str:
    return reverse(
        "cocreation:decision_detail",
        kwargs={"pk": decision.secretariat_id, "decision_pk": decision.pk},
    )


def _decision_or_404(user, pk, decision_pk):
    secretariat, stl_access = access.get_secretariat_or_404(user, pk)
    return policy.get_decision_or_404(secretariat=secretariat, pk=decision_pk), stl_access


def _detail_context(request, decision, stl_access):
    detail = selectors.decision_detail(decision=decision, user=request.user)
    is_open = decision.status == Decision.Status.OPEN
    cocreator = stl_access.can_participate or stl_access.can_facilitate
    # Only a member present may vote; the facilitator never sees the form (requirement 4.b).
    can_vote = is_open and detail["own_member"] is not None and not stl_access.can_facilitate
    own_vote = detail["own_vote"]
    return {
        "secretariat": decision.secretariat,
        "access": stl_access,
        "decision": decision,
        "is_open": is_open,
        "can_vote": can_vote,
        "can_comment": cocreator and is_open,
        "can_close": cocreator and is_open,
        "facilitator_notice": FACILITATOR_HAS_NO_VOTE if stl_access.can_facilitate else "",
        "vote_form": (
            VoteForm(initial={"choice": own_vote.choice} if own_vote else None)
            if can_vote
            else None
        ),
        "comment_form": DecisionCommentForm() if cocreator and is_open else None,
        "evidence_panel": evidence_panel(
            subject=decision, user=request.user, next_url=request.get_full_path()
        ),
        **detail,
    }


@login_required
def decision_list(request, pk):
    secretariat, stl_access = access.get_secretariat_or_404(request.user, pk)
    return render(
        request,
        "cocreation/decision_list.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "decisions": selectors.decision_list(secretariat=secretariat),
            "can_create": stl_access.can_participate or stl_access.can_facilitate,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request, pk):
    secretariat, stl_access = access.get_secretariat_or_404(request.user, pk)
    if not (stl_access.can_participate or stl_access.can_facilitate):
        raise Http404
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_open(
                secretariat=secretariat, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Se abrió la votación del acuerdo."))
            return redirect(_detail_url(decision))
    return render(
        request,
        "stl/form.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "form": form,
            "title": _("Someter un acuerdo a votación"),
            "cancel_url": reverse("cocreation:decision_list", kwargs={"pk": secretariat.pk}),
        },
    )


@login_required
def decision_detail(request, pk, decision_pk):
    decision, stl_access = _decision_or_404(request.user, pk, decision_pk)
    return render(
        request, "cocreation/decision_detail.html", _detail_context(request, decision, stl_access)
    )


@login_required
@require_POST
def decision_vote(request, pk, decision_pk):
    decision, _stl_access = _decision_or_404(request.user, pk, decision_pk)
    try:
        services.decision_vote(
            decision=decision, choice=request.POST.get("choice", ""), user=request.user
        )
    except PermissionDenied:
        # Refused to anyone who is not a member of the STL, the facilitator included (4.b).
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Se registró tu voto."))
    return redirect(_detail_url(decision) + "#votacion")


@login_required
@require_POST
def decision_comment(request, pk, decision_pk):
    decision, _stl_access = _decision_or_404(request.user, pk, decision_pk)
    try:
        services.decision_comment_add(
            decision=decision, body=request.POST.get("body", ""), user=request.user
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Se registró tu comentario."))
    return redirect(_detail_url(decision) + "#discusion")


@login_required
@require_POST
def decision_close(request, pk, decision_pk):
    decision, _stl_access = _decision_or_404(request.user, pk, decision_pk)
    try:
        decision = services.decision_close(decision=decision, user=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Se cerró la votación. Resultado: %(outcome)s.")
            % {"outcome": decision.get_outcome_display()},
        )
    return redirect(_detail_url(decision))


@login_required
@require_http_methods(["GET", "POST"])
def neutrality(request, pk):
    secretariat, stl_access = access.get_secretariat_or_404(request.user, pk)
    assignment = stl_selectors.active_facilitator_assignment(secretariat=secretariat)
    can_sign = (
        assignment is not None
        and assignment.user_id == request.user.pk
        and assignment.neutrality_signed_at is None
    )
    form = None
    if can_sign:
        form = NeutralityForm(
            request.POST if request.method == "POST" else None,
            initial={"statement": neutrality_statement_text(assignment=assignment)},
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.neutrality_declare(
                    assignment=assignment,
                    statement=form.cleaned_data["statement"],
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
                evidence_panel(subject=assignment, user=request.user, next_url=request.path)
                if assignment
                else None
            ),
        },
    )
