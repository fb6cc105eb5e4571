"""The STL's timeline: every table, consultation, prioritisation and decision, with its evidence."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cocreation import policy, selectors
from pal_portal.listing import paginate


@login_required
def timeline(request, pk):
    secretariat, stl_access = policy.get_record_or_404(request.user, pk)
    timeline = selectors.secretariat_timeline(secretariat=secretariat)
    page = paginate(request, timeline["items"])
    return render(
        request,
        "cocreation/timeline.html",
        {
            "secretariat": secretariat,
            "access": stl_access,
            "gaps": timeline["gaps"],
            "items": page.object_list,
            "page": page,
        },
    )
