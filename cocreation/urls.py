from django.urls import path

from cocreation.views import consultations as consultation_views
from cocreation.views import decisions as decision_views
from cocreation.views import dialogue as dialogue_views
from cocreation.views import neutrality as neutrality_views
from cocreation.views import prioritization as prioritization_views
from cocreation.views import problems as problem_views
from cocreation.views import timeline as timeline_views

app_name = "cocreation"

urlpatterns = [
    # Co-creation record: dialogue tables, public consultations, problems, timeline.
    path("<int:pk>/mesas/", dialogue_views.table_list, name="table_list"),
    path("<int:pk>/mesas/nueva/", dialogue_views.table_create, name="table_create"),
    path("<int:pk>/mesas/<int:table_pk>/", dialogue_views.table_detail, name="table_detail"),
    path("<int:pk>/mesas/<int:table_pk>/editar/", dialogue_views.table_edit, name="table_edit"),
    path(
        "<int:pk>/mesas/<int:table_pk>/minuta/",
        dialogue_views.table_minutes,
        name="table_minutes",
    ),
    path("<int:pk>/consultas/", consultation_views.consultation_list, name="consultation_list"),
    path(
        "<int:pk>/consultas/nueva/",
        consultation_views.consultation_create,
        name="consultation_create",
    ),
    path(
        "<int:pk>/consultas/<int:consultation_pk>/",
        consultation_views.consultation_detail,
        name="consultation_detail",
    ),
    path(
        "<int:pk>/consultas/<int:consultation_pk>/editar/",
        consultation_views.consultation_edit,
        name="consultation_edit",
    ),
    path("<int:pk>/problematicas/", problem_views.problem_list, name="problem_list"),
    path("<int:pk>/problematicas/nueva/", problem_views.problem_create, name="problem_create"),
    path(
        "<int:pk>/problematicas/<int:problem_pk>/fusionar/",
        problem_views.problem_merge,
        name="problem_merge",
    ),
    path("<int:pk>/cronologia/", timeline_views.timeline, name="timeline"),
    # Prioritisation (footnote 2 of 1.a), decisions (4.b) and neutrality (4.a).
    path(
        "<int:pk>/priorizaciones/",
        prioritization_views.prioritization_list,
        name="prioritization_list",
    ),
    path(
        "<int:pk>/priorizaciones/nueva/",
        prioritization_views.prioritization_create,
        name="prioritization_create",
    ),
    path(
        "<int:pk>/priorizaciones/<int:prioritization_pk>/",
        prioritization_views.prioritization_detail,
        name="prioritization_detail",
    ),
    path(
        "<int:pk>/priorizaciones/<int:prioritization_pk>/participar/",
        prioritization_views.prioritization_entry,
        name="prioritization_entry",
    ),
    path(
        "<int:pk>/priorizaciones/<int:prioritization_pk>/participaciones/<int:entry_pk>/eliminar/",
        prioritization_views.prioritization_entry_delete,
        name="prioritization_entry_delete",
    ),
    path(
        "<int:pk>/priorizaciones/<int:prioritization_pk>/calcular/",
        prioritization_views.prioritization_compute,
        name="prioritization_compute",
    ),
    path(
        "<int:pk>/priorizaciones/<int:prioritization_pk>/metodologia/",
        prioritization_views.prioritization_methodology_regenerate,
        name="prioritization_methodology_regenerate",
    ),
    path(
        "<int:pk>/priorizaciones/<int:prioritization_pk>/metodologia/estado/",
        prioritization_views.prioritization_methodology_status,
        name="prioritization_methodology_status",
    ),
    path("<int:pk>/acuerdos/", decision_views.decision_list, name="decision_list"),
    path("<int:pk>/acuerdos/nuevo/", decision_views.decision_create, name="decision_create"),
    path(
        "<int:pk>/acuerdos/<int:decision_pk>/",
        decision_views.decision_detail,
        name="decision_detail",
    ),
    path(
        "<int:pk>/acuerdos/<int:decision_pk>/votar/",
        decision_views.decision_vote,
        name="decision_vote",
    ),
    path(
        "<int:pk>/acuerdos/<int:decision_pk>/comentar/",
        decision_views.decision_comment,
        name="decision_comment",
    ),
    path(
        "<int:pk>/acuerdos/<int:decision_pk>/cerrar/",
        decision_views.decision_close,
        name="decision_close",
    ),
    path("<int:pk>/facilitacion/neutralidad/", neutrality_views.neutrality, name="neutrality"),
]
