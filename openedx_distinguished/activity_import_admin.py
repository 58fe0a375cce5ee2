"""
Activity import in the admin (program staff): upload or paste a CSV, download a template, see a
preview of every row (the person and activity type it matched, new or already imported, or its
errors), then apply it all or nothing. The rules are ``api``'s, shared with the REST import.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from openedx_distinguished import api
from openedx_distinguished.exceptions import DistinguishedError, ValidationError


def import_view(model_admin, request):
    """
    GET: the form (``?template=csv`` downloads the template). POST ``step=preview``: read the upload
    or the pasted text and show every row. POST ``step=apply``: import the previewed text.
    """
    if not api.is_program_staff(user=request.user):
        raise PermissionDenied
    if request.GET.get("template") == "csv":
        response = HttpResponse(api.activity_import_template(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="activity-import-template.csv"'
        return response
    context = {"errors": {}, "text": "", "preview": None}
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        text = request.POST.get("text", "")
        try:
            upload = request.FILES.get("file")
            if upload is not None and step == "preview":
                text = api.read_import_file(data=upload.read(api.MAX_IMPORT_BYTES + 1))
            if not text.strip():
                raise ValidationError({"file": [_("Choose a CSV file or paste its text.")]})
            rows = api.read_import_csv(text=text)
            if step == "apply":
                report = api.import_activities(rows=rows, actor=request.user)
                done = _("Imported {created} activities; {skipped} were imported before and are skipped.")
                model_admin.message_user(request, done.format(created=report.created, skipped=report.skipped),
                                         messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:openedx_distinguished_activity_changelist"))
            context["preview"] = api.preview_activity_import(rows=rows)
            if context["preview"].errors:
                status = 400
        except DistinguishedError as exc:
            errors = exc.errors
            if "rows" in errors and step == "apply":
                # The rows changed meanwhile (an activity imported elsewhere): show the preview again.
                context["preview"] = api.preview_activity_import(rows=api.read_import_csv(text=text))
            context["errors"] = errors
            status = 400
        context["text"] = text
    return TemplateResponse(request, "openedx_distinguished/admin/activity_import.html", {
        **model_admin.admin_site.each_context(request),
        "title": _("Import activities"),
        "opts": model_admin.model._meta,
        "columns": api.IMPORT_COLUMNS,
        "max_megabytes": api.MAX_IMPORT_BYTES // 1024 // 1024,
        "activity_types": api.list_activity_types(),
        **context,
    }, status=status)
