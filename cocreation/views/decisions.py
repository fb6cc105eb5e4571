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
from cocreation.filters import DecisionFilters
from cocreation.forms.decisions import DecisionCommentForm, DecisionForm, VoteForm
from cocreation.models import Decision
from evidence.selectors import evidence_panel
from pal_portal.forms import add_service_errors
from pal_portal.listing import paginate


def _detail_url(decision: Decision) -> str:
    return reverse(
        "cocreation:decision_detail",
        kwargs={"pk": decision.secretariat_id, "decision_pk": decision.pk},
    )


def _detail_context(request, decision, stl_access):
    detail = selectors.decision_detail(decision=decision, user=request.user)
    is_open = decision.status == Decision.Status.OPEN
    actions = policy.decision_actions(stl_access, decision)
    # Only a member may vote; the facilitator never sees the form (requirement 4.b).
    can_vote = actions["vote"]
    own_vote = detail["own_vote"]
    return {
        "secretariat": decision.secretariat,
        "access": stl_access,
        "decision": decision,
        "is_open": is_open,
        "can_vote": can_vote,
        "can_comment": actions["comment"],
        "can_close": actions["close"],
        "facilitator_notice": policy.refusal(stl_access, "vote")
        if stl_access.can_facilitate
        else "",
        "vote_form": (
            VoteForm(initial={"choice": own_vote.choice} if own_vote else None)
            if can_vote
            else None
        ),
        "comment_form": DecisionCommentForm() if actions["comment"] else None,
        "outcome_rule_text": services.decision_outcome_rule(),
        "evidence_panel": evidence_panel(
            request=request,
            subject=decision,
            user=request.user,
            next_url=request.get_full_path(),
            stl_access=stl_access,
        ),
        **detail,
    }


@login_required
def decision_list(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk)
    filters = DecisionFilters(request.GET)
    return render(
        request,
        "cocreation/decision_list.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "page": paginate(
                request, selectors.decision_list(secretariat=secretariat, **filters.values)
            ),
            "filters": filters,
            "can_create": policy.record_actions(stl_access)["open_decision"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk, need="contribute")
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
    decision, stl_access = policy.get_decision_or_404(request.user, pk, decision_pk)
    return render(
        request, "cocreation/decision_detail.html", _detail_context(request, decision, stl_access)
    )


@login_required
@require_POST
def decision_vote(request, pk, decision_pk):
    decision, _stl_access = policy.get_decision_or_404(request.user, pk, decision_pk)
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
    decision, _stl_access = policy.get_decision_or_404(
        request.user, pk, decision_pk, need="contribute"
    )
    # The form strips bidirectional controls and speaks the model's limits; the page shows its
    # errors as a message, above the discussion.
    form = DecisionCommentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.decision_comment_add(decision=decision, user=request.user, **form.cleaned_data)
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
    decision, _stl_access = policy.get_decision_or_404(request.user, pk, decision_pk)
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
