from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pal_portal import forms, views
from stl import views as stl_views

urlpatterns = [
    path("", stl_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "cuentas/entrar/",
        auth_views.LoginView.as_view(authentication_form=forms.LoginForm),
        name="login",
    ),
    path("cuentas/salir/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "cuentas/contrasena/olvide/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "cuentas/contrasena/olvide/enviado/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "cuentas/contrasena/nueva/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "cuentas/contrasena/lista/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "cuentas/contrasena/cambiar/",
        auth_views.PasswordChangeView.as_view(form_class=forms.PasswordChangeForm),
        name="password_change",
    ),
    path(
        "cuentas/contrasena/cambiada/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("cuentas/invitacion/<str:key>/", stl_views.invitation_accept, name="invitation_accept"),
    path("idioma/", include("django.conf.urls.i18n")),
    path("stl/", include("stl.urls")),
    path("stl/", include("cocreation.urls")),
    path("stl/<int:pk>/evidencia/", include("evidence.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "pal_portal.views.bad_request"
handler403 = "pal_portal.views.permission_denied"
handler404 = "pal_portal.views.page_not_found"
handler500 = "pal_portal.views.server_error"

admin.site.site_header = "Portal PAL — Administración INAI"
admin.site.site_title = "Portal PAL"
