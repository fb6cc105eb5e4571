"""Views of the STL registry: thin, each reading the request and calling one service."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pal_portal.forms import SetPasswordForm, add_service_errors
from pal_portal.listing import paginate
from pal_portal.site import site_url
from stl import policy as access
from stl import selectors, services
from stl.filters import SecretariatFilters
from stl.forms import (
    FacilitatorForm,
    MemberInviteForm,
    NucleusForm,
    QuorumRuleForm,
    SecretariatForm,
)
from stl.models import Invitation, Member


def secretariat_list(request):
    filters = SecretariatFilters(request.GET)
    secretariats = selectors.secretariat_list(user=request.user, **filters.values)
    return render(
        request,
        "stl/secretariat_list.html",
        {
            "page": paginate(request, secretariats),
            "filters": filters,
            "can_register": access.is_inai_admin(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def secretariat_create(request):
    if not access.is_inai_admin(request.user):
        raise Http404
    form = SecretariatForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            secretariat = services.secretariat_register(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Se registró el STL %(stl)s.") % {"stl": secretariat})
            return redirect(secretariat)
    return render(
        request,
        "stl/form.html",
        {"form": form, "title": _("Registrar un Secretariado Técnico Local")},
    )


def secretariat_dashboard(request, pk):
    secretariat, stl_access = access.get_secretariat_or_404(request.user, pk)
    context = selectors.secretariat_dashboard(
        secretariat=secretariat, access=stl_access, user=request.user
    )
    return render(
        request,
        "stl/dashboard.html",
        {"secretariat": secretariat, "access": stl_access, **context},
    )


def _manage_form_view(request, pk, *, form_class, service, title, success, form_kwargs=None):
    secretariat, stl_access = access.get_secretariat_or_404(request.user, pk, need="manage")
    kwargs = {"secretariat": secretariat} if form_kwargs else {}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            obj = service(secretariat=secretariat, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, success(obj))
            return redirect(secretariat)
    return render(
        request,
        "stl/form.html",
        {"form": form, "title": title, "secretariat": secretariat, "access": stl_access},
    )


@login_required
@require_http_methods(["GET", "POST"])
def nucleus_create(request, pk):
    return _manage_form_view(
        request,
        pk,
        form_class=NucleusForm,
        service=services.nucleus_add,
        title=_("Agregar un núcleo"),
        success=lambda nucleus: _("Se agregó el núcleo %(nucleus)s.") % {"nucleus": nucleus},
    )


def _member_invite(request):
    def invite(*, user, **data):
        return services.member_invite(invited_by=user, site_url=site_url(request), **data)

    return invite


def _facilitator_assign(request):
    def assign(*, user, **data):
        return services.facilitator_assign(assigned_by=user, site_url=site_url(request), **data)

    return assign


@login_required
@require_http_methods(["GET", "POST"])
def member_invite(request, pk):
    return _manage_form_view(
        request,
        pk,
        form_class=MemberInviteForm,
        form_kwargs=True,
        service=_member_invite(request),
        title=_("Invitar a una persona integrante"),
        success=lambda member: (
            _("Se envió la invitación a %(email)s.") % {"email": member.user.email}
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def facilitator_assign(request, pk):
    return _manage_form_view(
        request,
        pk,
        form_class=FacilitatorForm,
        service=_facilitator_assign(request),
        title=_("Asignar la persona facilitadora"),
        success=lambda assignment: (
            _("%(name)s es ahora la persona facilitadora; se le envió una invitación.")
            % {"name": assignment.user}
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def quorum_rule(request, pk):
    secretariat, stl_access = access.get_secretariat_or_404(request.user, pk, need="manage")
    form = QuorumRuleForm(request.POST or None, instance=secretariat)
    if request.method == "POST" and form.is_valid():
        try:
            services.secretariat_quorum_rule_set(
                secretariat=secretariat, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Se guardó la regla de quórum de los acuerdos del STL."))
            return redirect(secretariat)
    return render(
        request,
        "stl/form.html",
        {
            "form": form,
            "title": _("Regla de quórum de los acuerdos"),
            "secretariat": secretariat,
            "access": stl_access,
        },
    )


@login_required
def secretariat_history(request, pk):
    secretariat, stl_access = access.get_secretariat_or_404(request.user, pk, need="view_history")
    page = paginate(request, selectors.secretariat_history(secretariat=secretariat))
    return render(
        request,
        "stl/history.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "page": page,
            "records": selectors.history_entries(keys=page.object_list),
        },
    )


@login_required
def member_deactivate(request, pk, member_pk):
    secretariat, _stl_access = access.get_secretariat_or_404(request.user, pk, need="manage")
    member = get_object_or_404(
        Member.objects.select_related("user"), pk=member_pk, secretariat=secretariat
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.member_deactivate(member=member, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("%(name)s ya no es integrante del STL; su registro y su historial se conservan.")
            % {"name": member.user},
        )
    return redirect(secretariat)


@login_required
def invitation_resend(request, pk, invitation_pk):
    secretariat, _stl_access = access.get_secretariat_or_404(request.user, pk, need="manage")
    invitation = get_object_or_404(
        Invitation.objects.select_related("user"), pk=invitation_pk, secretariat=secretariat
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.invitation_resend(
            invitation=invitation, user=request.user, site_url=site_url(request)
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("Se enviará de nuevo la invitación a %(email)s.") % {"email": invitation.user.email},
        )
    return redirect(secretariat)


def home(request):
    """Send each person where their work is: their STL, or the list of STLs."""
    if request.user.is_authenticated:
        if not access.sees_every_secretariat(request.user):
            own = list(access.own_secretariats(request.user)[:2])
            if len(own) == 1:
                return redirect(own[0])
        return redirect("stl:list")
    return render(request, "home.html")


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, key):
    try:
        invitation = services.invitation_check(key=key)
    except ValidationError as error:
        return render(
            request,
            "registration/invitation_invalid.html",
            {"error": error.messages[0]},
            status=410,
        )
    if invitation.user.has_usable_password() and invitation.user.is_active:
        services.invitation_accept(key=key, password=None)
        messages.info(
            request,
            _("Ya tienes una cuenta: inicia sesión para ver el STL de %(stl)s.")
            % {"stl": invitation.secretariat},
        )
        return redirect(f"{reverse('login')}?next={invitation.secretariat.get_absolute_url()}")
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(key=key, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            return render(
                request,
                "registration/invitation_invalid.html",
                {"error": error.messages[0]},
                status=410,
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("¡Bienvenida, bienvenido! Tu cuenta quedó activa."))
        return redirect(invitation.secretariat)
    return render(
        request, "registration/invitation_accept.html", {"form": form, "invitation": invitation}
    )
