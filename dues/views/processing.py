"""The record of processing activities (GDPR art. 30), for the administrator: a page and the
same as PDF, both made from `members.processing.record()` (the retention settings)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from cac_portal.http import requires
from charter.models import Collective
from dues.pdf import html_to_pdf
from members.processing import record

administrator_only = requires("members.view_processing_record")


def _context():
    return {
        "collective": Collective.load(),
        "processings": record(),
        "today": timezone.localdate(),
    }


@administrator_only
@require_GET
def processing_record(request):
    return render(request, "dues/processing_record.html", _context())


@administrator_only
@require_GET
def processing_record_pdf(request):
    data = html_to_pdf(render_to_string("dues/processing_record_pdf.html", _context()))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="registre-des-traitements.pdf"'
    return response
