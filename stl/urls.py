from django.urls import path

from stl import views

app_name = "stl"

urlpatterns = [
    path("", views.secretariat_list, name="list"),
    path("nuevo/", views.secretariat_create, name="create"),
    path("<int:pk>/", views.secretariat_dashboard, name="dashboard"),
    path("<int:pk>/nucleos/nuevo/", views.nucleus_create, name="nucleus_create"),
    path("<int:pk>/integrantes/invitar/", views.member_invite, name="member_invite"),
    path(
        "<int:pk>/integrantes/<int:member_pk>/baja/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "<int:pk>/invitaciones/<int:invitation_pk>/reenviar/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("<int:pk>/facilitacion/", views.facilitator_assign, name="facilitator_assign"),
    path("<int:pk>/quorum/", views.quorum_rule, name="quorum_rule"),
    path("<int:pk>/historial/", views.secretariat_history, name="history"),
]
