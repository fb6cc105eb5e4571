"""Views of the problems (problemáticas) of an STL: list, add from an origin, merge duplicates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cocreation import policy, selectors, services
from cocreation.filters import ProblemFilters, ProblemSearch
from cocreation.forms.dialogue import ProblemForm, ProblemMergeForm
from pal_portal.forms import add_service_errors
from pal_portal.listing import paginate


def _list_url(secretariat) -> str:
    return reverse("cocreation:problem_list", kwargs={"pk": secretariat.pk})


@login_required
def problem_list(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk)
    filters = ProblemFilters(request.GET)
    problems = selectors.problem_list(secretariat=secretariat, **filters.values)
    return render(
        request,
        "cocreation/problem_list.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "page": paginate(request, problems),
            "filters": filters,
            "can_edit": policy.record_actions(stl_access)["raise_problem"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def problem_create(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk, need="contribute")
    form = ProblemForm(
        request.POST or None,
        origin_choices=selectors.problem_origin_choices(secretariat=secretariat),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["origin"] = selectors.problem_origin_from_choice(
            secretariat=secretariat, value=data["origin"]
        )
        try:
            problem = services.problem_add(secretariat=secretariat, user=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request, _("Se agregó la problemática «%(title)s».") % {"title": problem}
            )
            return redirect(_list_url(secretariat))
    return render(
        request,
        "stl/form.html",
        {
            "form": form,
            "title": _("Agregar una problemática"),
            "secretariat": secretariat,
            "access": stl_access,
            "cancel_url": _list_url(secretariat),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def problem_merge(request, pk, problem_pk):
    problem, stl_access = policy.get_problem_or_404(request.user, pk, problem_pk, need="contribute")
    secretariat = problem.secretariat
    if problem.merged_into_id is not None:
        messages.info(request, _("Esta problemática ya fue fusionada en otra."))
        return redirect(_list_url(secretariat))
    search = ProblemSearch(request.GET)
    candidates = selectors.problem_candidates(
        secretariat=secretariat, exclude=problem, **search.values
    )
    form = ProblemMergeForm(request.POST or None, candidates=candidates.problems)
    if request.method == "POST" and form.is_valid():
        try:
            survivor = services.problem_merge(
                problem=problem, into=form.cleaned_data["into"], user=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("«%(merged)s» quedó fusionada en «%(survivor)s», con los orígenes de ambas.")
                % {"merged": problem, "survivor": survivor},
            )
            return redirect(_list_url(secretariat))
    return render(
        request,
        "cocreation/problem_merge.html",
        {
            "form": form,
            "search": search,
            "candidates": candidates,
            "secretariat": secretariat,
            "access": stl_access,
            "problem": problem,
        },
    )
