"""The import of existing members: upload, preview with each line's errors, adjust the
columns, confirm; the progress of a big import. Thin views over `dues.services.imports`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from cac_portal import tasking
from dues.importing.columns import TARGETS
from dues.importing.reading import BadFile
from dues.models import MemberImport
from dues.services import imports
from dues.views.desk import desk_required, warn_if_undelivered

RECENT = 10


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("Fichier des membres (CSV ou XLSX)"),
        help_text=_lazy(
            "Une ligne par membre (ou par paiement), la première donnant le nom des colonnes : "
            "Nom, Prénom, Structure, Sigle, Adresse, Code postal, Ville, Courriel, Téléphone, "
            "Mobile, Type… et, pour reprendre des paiements, Année, Date, Montant, Mode."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


@desk_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imports.check_size(upload.size)
            member_import = imports.upload_import(upload.read(), upload.name, actor=request.user)
        except BadFile as error:
            form.add_error("file", str(error))
        else:
            return redirect("dues:import_detail", code=member_import.code)
    recent = MemberImport.objects.select_related("created_by").order_by("-created_at")[:RECENT]
    return render(
        request,
        "dues/desk/import_upload.html",
        {"form": form, "recent": recent},
        status=400 if request.method == "POST" else 200,
    )


def _columns(member_import, samples):
    """The mapping form's rows: each column's heading, first value and chosen field."""
    return [
        {
            "index": index,
            "header": header or _("(sans titre)"),
            "sample": samples[index] if index < len(samples) else "",
            "target": member_import.mapping[index] if index < len(member_import.mapping) else "",
        }
        for index, header in enumerate(member_import.headers)
    ]


def _act(request, member_import):
    action = request.POST.get("action")
    if action == "mapping":
        values = [request.POST.get(f"column-{i}", "") for i in range(len(member_import.headers))]
        imports.set_mapping(member_import, values, actor=request.user)
        messages.success(request, _("Colonnes mises à jour : voici le nouvel aperçu."))
    elif action == "confirm":
        with tasking.watch() as undelivered:
            done = imports.confirm_import(member_import, actor=request.user)
        if done.status == MemberImport.Status.DONE:
            messages.success(request, _("Import terminé."))
        warn_if_undelivered(request, undelivered)


@desk_required
@require_http_methods(["GET", "POST"])
def import_detail(request, code):
    """The preview (and its columns) before confirming; the progress, then the result."""
    member_import = get_object_or_404(MemberImport, code=code)
    if request.method == "POST":
        try:
            _act(request, member_import)
        except (ValidationError, BadFile) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("dues:import_detail", code=member_import.code)
    preview = member_import.result.get("preview") if member_import.status == "preview" else None
    return render(
        request,
        "dues/desk/import_detail.html",
        {
            "import": member_import,
            "preview": preview,
            "result": None if preview else member_import.result,
            "columns": _columns(member_import, (preview or {}).get("samples", [])),
            "targets": list(TARGETS.items()),
            "background": member_import.total > imports.background_lines(),
        },
    )


@desk_required
@require_GET
def import_progress(request, code):
    """The progress bar's data (see static/js/batch.js)."""
    member_import = get_object_or_404(MemberImport, code=code)
    counts = member_import.result.get("counts", {})
    return JsonResponse(
        {
            "status": member_import.status,
            "total": member_import.total,
            "done": member_import.processed,
            "failed": counts.get("error", 0),
            "percent": member_import.percent(),
            "finished": member_import.is_finished,
        }
    )
