"""Views of the prioritisations: thin, each reading the request and calling one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocreation import policy, selectors, services
from cocreation.filters import PrioritizationFilters, ProblemSearch
from cocreation.forms.prioritization import PrioritizationEntryForm, PrioritizationForm
from cocreation.models import Prioritization
from evidence.selectors import evidence_panel
from pal_portal.forms import add_service_errors
from pal_portal.listing import paginate


def _detail_url(prioritization: Prioritization) -> str:
    return reverse(
        "cocreation:prioritization_detail",
        kwargs={"pk": prioritization.secretariat_id, "prioritization_pk": prioritization.pk},
    )


@login_required
def prioritization_list(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk)
    filters = PrioritizationFilters(request.GET)
    return render(
        request,
        "cocreation/prioritization_list.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "page": paginate(
                request, selectors.prioritization_list(secretariat=secretariat, **filters.values)
            ),
            "filters": filters,
            "can_create": policy.record_actions(stl_access)["open_prioritization"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def prioritization_create(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk, need="contribute")
    search = ProblemSearch(request.GET)
    candidates = selectors.problem_candidates(secretariat=secretariat, **search.values)
    form = PrioritizationForm(
        request.POST if request.method == "POST" else None, problems=candidates.problems
    )
    if request.method == "POST" and form.is_valid():
        try:
            prioritization = services.prioritization_create(
                secretariat=secretariat,
                title=form.cleaned_data["title"],
                method=form.cleaned_data["method"],
                problems=list(form.cleaned_data["problems"]),
                max_choices=form.cleaned_data["max_choices"],
                criteria=form.criteria(),
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("Se abrió la priorización «%(title)s». Ya puede recibir participaciones.")
                % {"title": prioritization.title},
            )
            return redirect(_detail_url(prioritization))
    return render(
        request,
        "cocreation/prioritization_form.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "form": form,
            "search": search,
            "candidates": candidates,
        },
    )


@login_required
def prioritization_detail(request, pk, prioritization_pk):
    prioritization, stl_access = policy.get_prioritization_or_404(
        request.user, pk, prioritization_pk
    )
    secretariat = prioritization.secretariat
    actions = policy.prioritization_actions(stl_access, prioritization)
    is_open = prioritization.status == Prioritization.Status.OPEN
    panel = evidence_panel(
        request=request,
        subject=prioritization,
        user=request.user,
        next_url=request.path,
        stl_access=stl_access,
    )
    return render(
        request,
        "cocreation/prioritization_detail.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "prioritization": prioritization,
            "is_open": is_open,
            "can_enter": actions["rank"] or actions["rank_on_behalf"],
            "can_compute": actions["compute"],
            "evidence_panel": panel,
            **_methodology_context(prioritization, actions, panel["evidence_list"]),
            **selectors.prioritization_detail(prioritization=prioritization, user=request.user),
        },
    )


def _methodology_context(prioritization, actions, evidence_list) -> dict:
    """Return what ``cocreation/_methodology_status.html`` shows: the job and the retry button."""
    progress = selectors.prioritization_methodology_progress(
        prioritization=prioritization, evidence_list=evidence_list
    )
    return {
        "prioritization": prioritization,
        "methodology": progress,
        "can_retry_methodology": bool(
            progress and progress.may_retry and actions["regenerate_methodology"]
        ),
    }


@login_required
@never_cache
@require_GET
def prioritization_methodology_status(request, pk, prioritization_pk):
    """Answer, as JSON, how the methodology document is going, with the page's fragment."""
    prioritization, stl_access = policy.get_prioritization_or_404(
        request.user, pk, prioritization_pk
    )
    actions = policy.prioritization_actions(stl_access, prioritization)
    panel = evidence_panel(
        request=request, subject=prioritization, user=request.user, stl_access=stl_access
    )
    context = _methodology_context(prioritization, actions, panel["evidence_list"])
    progress = context["methodology"]
    if progress is None:
        return JsonResponse({"status": "", "status_label": "", "finished": True, "html": ""})
    return JsonResponse(
        {
            "status": progress.status,
            "status_label": str(progress.label),
            "finished": progress.finished,
            "html": render_to_string(
                "cocreation/_methodology_status.html", context, request=request
            ),
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def prioritization_entry(request, pk, prioritization_pk):
    prioritization, stl_access = policy.get_prioritization_or_404(
        request.user, pk, prioritization_pk, need="contribute"
    )
    secretariat = prioritization.secretariat
    if prioritization.status != Prioritization.Status.OPEN:
        messages.info(request, _("Esta priorización ya se calculó: no recibe participaciones."))
        return redirect(_detail_url(prioritization))
    # The facilitator never ranks; they may record the entries of named participants.
    on_behalf = policy.may(stl_access, "rank_on_behalf")
    member = stl_access.member
    entry = prioritization.entries.filter(member=member).first() if member else None
    form = PrioritizationEntryForm(
        request.POST if request.method == "POST" else None,
        prioritization=prioritization,
        problems=prioritization.problems.order_by("pk"),
        criteria=prioritization.criteria.order_by("pk"),
        nuclei=secretariat.nuclei.all() if on_behalf else None,
        entry=entry,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if on_behalf:
                services.prioritization_entry_record(
                    prioritization=prioritization,
                    nucleus=form.cleaned_data["nucleus"],
                    participant=form.cleaned_data["participant"],
                    data=form.entry_data(),
                    user=request.user,
                )
            else:
                services.prioritization_entry_submit(
                    prioritization=prioritization, data=form.entry_data(), user=request.user
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Se guardó la participación."))
            if on_behalf and "another" in request.POST:
                return redirect(request.path)
            return redirect(_detail_url(prioritization))
    return render(
        request,
        "cocreation/prioritization_entry.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "prioritization": prioritization,
            "form": form,
            "on_behalf": on_behalf,
            "entry": entry,
            "suggested": (
                selectors.prioritization_people_suggested(secretariat=secretariat)
                if on_behalf
                else None
            ),
        },
    )


@login_required
@require_POST
def prioritization_entry_delete(request, pk, prioritization_pk, entry_pk):
    prioritization, _stl_access = policy.get_prioritization_or_404(
        request.user, pk, prioritization_pk, need="contribute"
    )
    entry = policy.get_prioritization_entry_or_404(prioritization=prioritization, pk=entry_pk)
    try:
        services.prioritization_entry_delete(entry=entry, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("Se eliminó la participación de %(name)s.") % {"name": entry.participant},
        )
    return redirect(_detail_url(prioritization))


@login_required
@require_POST
def prioritization_compute(request, pk, prioritization_pk):
    prioritization, _stl_access = policy.get_prioritization_or_404(
        request.user, pk, prioritization_pk, need="contribute"
    )
    try:
        services.prioritization_compute(prioritization=prioritization, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _(
                "Se calculó el resultado. El documento de metodología se está generando y "
                "aparecerá en las evidencias de esta priorización."
            ),
        )
    return redirect(_detail_url(prioritization))


@login_required
@require_POST
def prioritization_methodology_regenerate(request, pk, prioritization_pk):
    prioritization, _stl_access = policy.get_prioritization_or_404(
        request.user, pk, prioritization_pk, need="contribute"
    )
    try:
        services.prioritization_methodology_regenerate(
            prioritization=prioritization, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _(
                "Se pidió de nuevo el documento de metodología. Aparecerá en las evidencias de "
                "esta priorización en unos momentos."
            ),
        )
    return redirect(_detail_url(prioritization))
