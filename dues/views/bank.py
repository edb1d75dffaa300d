"""The bank's pages under /gestion/banque/: import a statement, confirm the sure matches at
once, review the rest line by line (keyboard first, like the desk), see a statement.

Thin views: parse a form, call `dues.services.statements` or `.reconciliation`, render. A CSV
whose columns are not known yet waits in the shared cache (an hour, for this user only) while
staff say which column holds what.
"""

import dataclasses
import re
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from cac_portal import tasking
from cac_portal.http import redirect_to_next, safe_next_url
from charter.models import Collective
from charter.templatetags.money import format_euros
from dues.bank_formats import StatementRefused, bank_csv
from dues.forms_bank import (
    CsvLayoutForm,
    DismissForm,
    MemberPickForm,
    StatementUploadForm,
    SuggestionForm,
)
from dues.models import BankCsvLayout, BankLine, BankStatement, LineSuggestion, Payment
from dues.services.matching import lines_to_review, match_lines
from dues.services.reconciliation import (
    confirm_line,
    confirm_suggestion,
    confirm_sure_lines,
    dismiss_line,
    late_slips,
    reopen_line,
    sure_suggestions,
)
from dues.services.statements import CsvLayoutNeeded, import_statement
from dues.views.desk import desk_required, find_members, warn_if_undelivered
from members.models import Member

QUEUE_PAGE = 20
# What `secrets.token_urlsafe(24)` writes: anything else is no file of ours.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
STASH_SECONDS = 3600
PREVIEW_ROWS = 5


@dataclasses.dataclass
class Stash:
    name: str
    data: bytes
    account_iban: str


def _stash_key(request, token):
    return f"dues.bank_upload:{request.user.pk}:{token}"


def _stash(request, stash):
    token = secrets.token_urlsafe(24)
    cache.set(_stash_key(request, token), dataclasses.asdict(stash), STASH_SECONDS)
    return token


def _unstash(request, token):
    if not _TOKEN.fullmatch(token or ""):
        return None
    found = cache.get(_stash_key(request, token))
    return Stash(**found) if found else None


def _suggestions():
    return Prefetch(
        "suggestions",
        queryset=LineSuggestion.objects.select_related(
            "member", "pledge", "deposit_slip", "payment", "line"
        ),
    )


def _bank_context():
    sure = sure_suggestions().count()
    to_review = lines_to_review().count()
    return {
        "sure": sure,
        "to_review": to_review - sure,
        "late_slips": late_slips(),
        "statements": BankStatement.objects.select_related("imported_by").annotate(
            added=Count("lines")
        )[:10],
    }


def _render_bank(request, form, *, layout=None, table=None, status=200):
    context = {**_bank_context(), "form": form, "layout": layout}
    if table is not None:
        context["preview"] = {
            "header": table.header,
            "rows": [cells for _number, cells in table.rows[:PREVIEW_ROWS]],
        }
    return render(request, "dues/desk/bank.html", context, status=status)


def _upload_form(request=None):
    collective = Collective.load()
    initial = {"account_iban": collective.bank_account_number if collective else ""}
    if request is None:
        return StatementUploadForm(initial=initial)
    return StatementUploadForm(request.POST, request.FILES, initial=initial)


def _report(request, result, name):
    """What the import did, in one message: read, new, already known, ignored, sure."""
    values = {
        "name": name,
        "read": result.read,
        "added": result.added,
        "known": result.known,
        "debits": result.debits,
    }
    if result.read == 0:
        messages.info(
            request,
            _("« %(name)s » ne contient aucun crédit (%(debits)s débits ignorés).") % values,
        )
        return
    if result.added == 0:
        messages.info(
            request,
            _("« %(name)s » était déjà importé : aucune ligne nouvelle (%(read)s crédits connus).")
            % values,
        )
        return
    text = (
        _(
            "Relevé « %(name)s » importé : %(read)s crédits lus, %(added)s nouveaux, "
            "%(known)s déjà connus ; %(debits)s débits ignorés."
        )
        % values
    )
    text += " " + ngettext(
        "%(count)s correspondance sûre à valider.",
        "%(count)s correspondances sûres à valider.",
        result.sure,
    ) % {"count": result.sure}
    messages.success(request, text)


def _import(request, *, form, stash, layout=None, layout_form=None, table=None):
    """Import the stashed file; the page again (400) with the refusal next to its field."""
    try:
        result = import_statement(
            data=stash.data,
            file_name=stash.name,
            account_iban=stash.account_iban,
            layout=layout,
            actor=request.user,
        )
    except StatementRefused as error:
        (layout_form or form).add_error(None if layout_form else "statement", error)
        return _render_bank(request, form, layout=layout_form, table=table, status=400)
    except CsvLayoutNeeded as needed:
        token = _stash(request, stash)
        layout_form = CsvLayoutForm(
            header=needed.table.header, initial={**needed.guess, "upload": token}
        )
        return _render_bank(request, _upload_form(), layout=layout_form, table=needed.table)
    _report(request, result, stash.name)
    return redirect("dues:bank")


def _post_upload(request):
    form = _upload_form(request)
    if not form.is_valid():
        return _render_bank(request, form, status=400)
    upload = form.cleaned_data["statement"]
    stash = Stash(
        name=upload.name[:255],
        data=upload.read(),
        account_iban=form.cleaned_data["account_iban"],
    )
    return _import(request, form=form, stash=stash)


def _post_layout(request):
    stash = _unstash(request, request.POST.get("upload", ""))
    if stash is None:
        messages.error(
            request,
            _("Ce fichier n'est plus en attente (plus d'une heure ?) : importez-le à nouveau."),
        )
        return redirect("dues:bank")
    table = bank_csv.read_table(stash.data)
    form = CsvLayoutForm(request.POST, header=table.header)
    if not form.is_valid():
        return _render_bank(request, _upload_form(), layout=form, table=table, status=400)
    layout = BankCsvLayout(**form.mapping, bank_name=form.cleaned_data["bank_name"])
    response = _import(
        request, form=_upload_form(), stash=stash, layout=layout, layout_form=form, table=table
    )
    if response.status_code == 302:
        cache.delete(_stash_key(request, request.POST["upload"]))
    return response


@desk_required
@require_http_methods(["GET", "POST"])
def bank(request):
    """Import a statement (and tell a new bank's CSV columns), see what waits."""
    if request.method == "GET":
        return _render_bank(request, _upload_form())
    action = request.POST.get("action")
    if action == "layout":
        return _post_layout(request)
    if action == "rematch":
        count = match_lines()
        messages.success(
            request,
            _("Rapprochement relancé : %(count)s correspondances sûres.") % {"count": count},
        )
        return redirect("dues:bank")
    return _post_upload(request)


@desk_required
@require_http_methods(["GET", "POST"])
def bank_sure(request):
    """The sure matches (RF or member reference on an open pledge of the same amount), and
    the button that confirms them all."""
    if request.method == "POST":
        with tasking.watch() as undelivered:
            payments, skipped = confirm_sure_lines(actor=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)s virement enregistré.", "%(count)s virements enregistrés.", len(payments)
            )
            % {"count": len(payments)},
        )
        if skipped:
            messages.warning(
                request,
                ngettext(
                    "%(count)s ligne n'était plus sûre (promesse réglée ou modifiée) : à revoir.",
                    "%(count)s lignes n'étaient plus sûres (promesse réglée ou modifiée) : à "
                    "revoir.",
                    len(skipped),
                )
                % {"count": len(skipped)},
            )
        warn_if_undelivered(request, undelivered)
        return redirect("dues:bank")
    page = Paginator(sure_suggestions(), 50).get_page(request.GET.get("page"))
    return render(
        request, "dues/desk/bank_sure.html", {"page": page, "count": page.paginator.count}
    )


@desk_required
@require_GET
def bank_queue(request):
    """The lines to review, with their suggestions; keyboard first (static/js/bank.js)."""
    show_all = request.GET.get("voir") == "tout"
    lines = lines_to_review()
    if not show_all:
        lines = lines.exclude(pk__in=sure_suggestions().values("line_id"))
    lines = lines.select_related("statement").prefetch_related(_suggestions())
    page = Paginator(lines.order_by("booking_date", "pk"), QUEUE_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "dues/desk/bank_queue.html",
        {
            "page": page,
            "show_all": show_all,
            "querystring": "voir=tout" if show_all else "",
            "here": request.get_full_path(),
            "sure": sure_suggestions().count(),
        },
    )


def _line(pk):
    return get_object_or_404(
        BankLine.objects.select_related("statement", "deposit_slip", "handled_by").prefetch_related(
            _suggestions()
        ),
        pk=pk,
    )


def _picked_member(form):
    """The member chosen by hand, or ValidationError saying what to do."""
    data = form.cleaned_data
    if data.get("member"):
        member = Member.objects.filter(pk=data["member"], closed_at__isnull=True).first()
        if member is None:
            raise ValidationError(_("Ce membre n'existe pas ou son compte est clos."))
        return member
    query = data.get("member_query") or ""
    if not query:
        raise ValidationError(_("Choisissez le membre qui a fait ce virement."))
    found = list(find_members(query, limit=2))
    if len(found) != 1:
        raise ValidationError(_message_for(found, query))
    return found[0]


def _message_for(found, query):
    if not found:
        return _("Aucun membre ne correspond à « %(query)s ».") % {"query": query}
    return _("Plusieurs membres correspondent à « %(query)s » : précisez (sa référence).") % {
        "query": query
    }


def _confirm(request, line):
    """Confirm the chosen suggestion, or the member picked by hand; returns what to tell."""
    if request.POST.get("suggestion"):
        form = SuggestionForm(request.POST)
        suggestion = (
            line.suggestions.filter(pk=form.cleaned_data["suggestion"]).first()
            if form.is_valid()
            else None
        )
        if suggestion is None:
            raise ValidationError(_("Cette suggestion n'existe plus : rechargez la page."))
        done = confirm_suggestion(suggestion, actor=request.user)
        return _told(done, attached=suggestion.payment_id is not None)
    pick = MemberPickForm(request.POST)
    if not pick.is_valid():
        raise ValidationError([e for errors in pick.errors.values() for e in errors])
    return _told(confirm_line(line, member=_picked_member(pick), actor=request.user))


def _told(done, attached=False):
    """The message of a confirmation: a transfer recorded or found, a slip credited."""
    if not isinstance(done, Payment):
        return _("Bordereau %(number)s crédité le %(date)s.") % {
            "number": done.deposit_slip.number,
            "date": done.booking_date.strftime("%d/%m/%Y"),
        }
    values = {
        "amount": format_euros(done.amount),
        "date": done.received_on.strftime("%d/%m/%Y"),
        "member": done.member,
        "year": done.year,
    }
    if attached:
        return (
            _(
                "Virement de %(amount)s de %(member)s, saisi le %(date)s, rattaché à sa ligne du "
                "relevé."
            )
            % values
        )
    return _("Virement de %(amount)s du %(date)s enregistré pour %(member)s (%(year)s).") % values


@desk_required
@require_http_methods(["GET", "POST"])
def bank_line_confirm(request, line):
    """One line: its suggestions and the member search; POST confirms one of them."""
    line = _line(line)
    error = None
    if request.method == "POST":
        try:
            with tasking.watch() as undelivered:
                told = _confirm(request, line)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, told)
            warn_if_undelivered(request, undelivered)
            return redirect_to_next(request, reverse("dues:bank_queue"))
    return render(
        request,
        "dues/desk/bank_line.html",
        {
            "line": line,
            "error": error,
            "payments": line.payments.select_related("member").order_by("pk"),
            "next": safe_next_url(request, ""),
        },
        status=400 if error else 200,
    )


@desk_required
@require_http_methods(["GET", "POST"])
def bank_line_dismiss(request, line):
    """ "Pas une cotisation ni un don": the line leaves the queue with its reason."""
    line = _line(line)
    form = DismissForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dismiss_line(line, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Ligne du %(date)s (%(amount)s) écartée.")
                % {
                    "date": line.booking_date.strftime("%d/%m/%Y"),
                    "amount": format_euros(line.amount),
                },
            )
            return redirect_to_next(request, reverse("dues:bank_queue"))
    return render(
        request,
        "dues/desk/bank_line_dismiss.html",
        {"line": line, "form": form, "next": safe_next_url(request, "")},
        status=400 if form.is_bound and form.errors else 200,
    )


@desk_required
@require_http_methods(["GET", "POST"])
def bank_line_reopen(request, line):
    """Undo a dismissal or a slip's credit: the line goes back to the queue."""
    line = _line(line)
    error = None
    if request.method == "POST":
        try:
            reopen_line(line, actor=request.user)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("La ligne est de nouveau à traiter."))
            return redirect("dues:bank_line_confirm", line=line.pk)
    return render(
        request,
        "dues/desk/bank_line_reopen.html",
        {"line": line, "error": error},
        status=400 if error else 200,
    )


@desk_required
@require_GET
def bank_statement(request, statement):
    """A statement's lines and what became of each."""
    statement = get_object_or_404(BankStatement.objects.select_related("imported_by"), pk=statement)
    lines = statement.lines.select_related("deposit_slip").prefetch_related(
        Prefetch("payments", queryset=Payment.objects.select_related("member").order_by("pk"))
    )
    page = Paginator(lines.order_by("booking_date", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "dues/desk/bank_statement.html", {"statement": statement, "page": page})
