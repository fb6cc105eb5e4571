"""The portal's URLconf with the benchmark's baseline views added in front of it."""

from django.urls import path

from bench import views
from pal_portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("__bench__/trivial", views.trivial, name="bench_trivial"),
    path("__bench__/base", views.base_page, name="bench_base"),
    *portal_urlpatterns,
]
