from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pal_portal.health import run_checks


@never_cache
@require_GET
def healthz(request):
    checks, status = run_checks()
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "error" else 200
    )
