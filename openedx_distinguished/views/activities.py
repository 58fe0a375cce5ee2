"""
A member's activity log: what they reported, its verification, and a form to report more.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openedx_distinguished import api
from openedx_distinguished.exceptions import DistinguishedError


@login_required
@require_http_methods(["GET", "POST"])
def my_activities(request):
    """List the member's activities; POST reports a new one (it waits for staff verification)."""
    if not api.is_member(request.user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        try:
            api.report_activity(user=request.user, activity_type=request.POST.get("activity_type", ""),
                                title=request.POST.get("title", ""), occurred_on=request.POST.get("occurred_on", ""),
                                evidence_url=request.POST.get("evidence_url", ""),
                                description=request.POST.get("description", ""))
        except DistinguishedError as exc:
            for field, lines in exc.errors.items():
                for line in lines:
                    messages.error(request, f"{field}: {line}")
            status = 400
        else:
            messages.success(request, "Thank you: your activity is recorded and waits for verification.")
            return redirect("openedx_distinguished:pages:activities")
    return render(request, "openedx_distinguished/activities.html", {
        "activities": api.list_activities(username=request.user.username, limit=200).items,
        "activity_types": api.list_activity_types(),
        "terms": api.list_terms(username=request.user.username).items,
        "form": request.POST if status == 400 else {},
    }, status=status)
