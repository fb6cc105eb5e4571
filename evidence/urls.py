from django.urls import path

from evidence import views

app_name = "evidence"

# Included under /stl/<pk>/evidencia/ from pal_portal/urls.py.
urlpatterns = [
    path("", views.secretariat_list, name="secretariat_list"),
    path(
        "registro/<str:subject_type>/<int:subject_id>/",
        views.subject,
        name="subject",
    ),
    path("<int:evidence_id>/descargar/", views.download, name="download"),
    path("<int:evidence_id>/sustituir/", views.supersede, name="supersede"),
    path("<int:evidence_id>/retirar/", views.withdraw, name="withdraw"),
    path("<int:evidence_id>/version-publica/", views.public_version, name="public_version"),
    path("exportar/", views.export_start, name="export_start"),
    path("exportaciones/<int:export_id>/", views.export_status, name="export_status"),
    path("exportaciones/<int:export_id>/reintentar/", views.export_retry, name="export_retry"),
    path(
        "exportaciones/<int:export_id>/descargar/",
        views.export_download,
        name="export_download",
    ),
]
