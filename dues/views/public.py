"""The public side: the adhesion / support form and its confirmation (post/redirect/get).

The confirmation page finds its pledge through the visitor's session, never through the URL,
so nobody can read another person's reference or amount by changing a number.

Submissions are limited per client address (ADHESION_RATE_LIMIT, counted in the shared cache):
past the limit the form comes back, as typed, with a 429 and nothing saved.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cac_portal.limits import exceeded
from dues.campaign import current_year, scale_for
from dues.forms import AdhesionSubmission
from dues.models import Pledge
from dues.services.attaching import attach_pledge
from dues.services.confirmations import confirmation_context, pledge_from_token, proposed_member
from members.accesses import current_member, has_access
from members.models import MemberKind
from members.services import claim_member, request_email_change
from members.submissions import once

SESSION_KEY = "adhesion_pledge"


def _own_member(request):
    return current_member(request) if request.user.is_authenticated else None


def _scale_data(scale):
    """What adhesion.js needs to compute the suggestion and the net cost in the browser."""
    if scale is None:
        return {"rate": "0", "brackets": []}
    return {
        "rate": str(scale.tax_reduction_rate),
        "brackets": [
            {
                "ceiling": None if t.budget_ceiling is None else str(t.budget_ceiling),
                "amount": str(t.amount),
            }
            for t in scale.tiers_of(MemberKind.ORGANISATION)
        ],
    }


def _adhesion_rate(group, request):
    return settings.ADHESION_RATE_LIMIT


def _too_many_submissions(request):
    """Counts this submission against the client's address; True past the limit."""
    return exceeded(request, group="dues.adhesion", key="ip", rate=_adhesion_rate)


def _render(request, submission, *, hide_errors=False, status=200, alert=None, remember_form=False):
    scale = submission.scale
    charter = submission.charter
    return render(
        request,
        "dues/adhesion.html",
        {
            "submission": submission,
            "form": submission.form,
            # Lazy: not built at all when the blank form is drawn from memory.
            "individual": SimpleLazyObject(lambda: submission.individual),
            "organisation": SimpleLazyObject(lambda: submission.organisation),
            "correspondents": SimpleLazyObject(lambda: submission.correspondents),
            "kind": submission.kind,
            "year": current_year(),
            "scale": scale,
            "scale_data": _scale_data(scale),
            "brackets": submission.brackets(),
            "charter": charter,
            "principles": charter.principles.all() if charter else [],  # prefetched
            "privacy_notice": submission.privacy_notice,
            "hide_errors": hide_errors,
            "has_errors": submission.form.is_bound and not hide_errors,
            "alert": alert,
            "remember_form": remember_form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def adhesion(request):
    scale = scale_for(current_year())
    if request.method != "POST":
        member = _own_member(request)
        submission = AdhesionSubmission(scale=scale, member=member)
        # The blank form is the same for every visitor without a member record of their own.
        return _render(request, submission, remember_form=member is None)

    submission = AdhesionSubmission(request.POST, scale=scale)
    if "add_correspondent" in request.POST:
        return _render(request, submission.with_one_more_correspondent(), hide_errors=True)
    if _too_many_submissions(request):
        message = _(
            "Trop de formulaires envoyés depuis votre connexion : réessayez dans quelques minutes."
        )
        return _render(request, submission, hide_errors=True, status=429, alert=message)
    if submission.is_bot:
        # Bots are thanked like people, and nothing is saved.
        request.session.pop(SESSION_KEY, None)
        return redirect("dues:adhesion_done")
    if submission.is_valid():
        try:
            outcome = once(
                submission.key,
                lambda: _submit(request, submission),
                actor=request.user,
            )
        except ValidationError as error:
            submission.form.add_error(None, error.messages)
        else:
            _ask_to_verify(request, outcome)
            request.session[SESSION_KEY] = outcome.result["pledge"]
            return redirect("dues:adhesion_done")
    return _render(request, submission)


def _submit(request, submission):
    result = submission.submit(actor=request.user, own=_own_member(request))
    if result.member_created and request.user.is_authenticated:
        # Made with one of the person's verified addresses, the new record is theirs at once.
        claim_member(request.user)
    return result.pledge, {"pledge": result.pledge.pk, "email_change": result.email_change}


def _ask_to_verify(request, outcome):
    """A logged-in member typed a new email: it is theirs once verified (members.services)."""
    email = outcome.result.get("email_change")
    if outcome.replayed or not email or outcome.target.member is None:
        return
    if request_email_change(outcome.target.member, email, request=request, actor=request.user):
        messages.info(
            request,
            _(
                "Nous avons envoyé un lien de vérification à %(email)s : cette adresse "
                "remplacera l'ancienne une fois vérifiée."
            )
            % {"email": email},
        )


def adhesion_done(request):
    pledge_pk = request.session.get(SESSION_KEY)
    pledge = None
    if isinstance(pledge_pk, int):
        pledge = (
            Pledge.objects.select_related("member", "matched_member").filter(pk=pledge_pk).first()
        )
    if pledge is None:
        return render(request, "dues/adhesion_done.html", {"pledge": None})
    context = confirmation_context(pledge, show_member=has_access(request.user, pledge.member))
    context["title"] = _("Merci !")
    return render(request, "dues/adhesion_done.html", context)


@require_http_methods(["GET", "POST"])
def attach_by_link(request, token):
    """The emailed link that attaches a pledge to the membership of the address it was sent
    to. Opening it shows the pledge; the button attaches it: mail scanners that open links
    attach nothing."""
    try:
        pledge, member = pledge_from_token(token)
    except ValidationError as error:
        return render(request, "dues/attach.html", {"error": error.messages[0]}, status=400)
    if request.method == "POST":
        try:
            attach_pledge(pledge, member, actor=request.user, note=_("lien envoyé par e-mail"))
        except ValidationError as error:
            return render(request, "dues/attach.html", {"error": error.messages[0]}, status=400)
        return render(request, "dues/attach.html", {"pledge": pledge, "attached": True})
    return render(
        request,
        "dues/attach.html",
        {"pledge": pledge, "proposed": proposed_member(pledge), "attached": False},
    )
