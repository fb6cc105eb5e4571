"""The portal's URLconf with the benchmark's trivial view added in front of it."""

from django.urls import path

from bench import views
from pal_portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("__bench__/trivial", views.trivial, name="bench_trivial"),
    *portal_urlpatterns,
]
