"""The page of the renewal campaigns (/tresorerie/relances/): the schedule of a year, next
year's scale copied from this year's, the pause switch (the treasurer's), and for staff too the
next run's recipients (a dry run), who got which step, the conversion per step, unsubscribes
and failures."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cac_portal.http import requires
from dues.campaign import current_year
from dues.forms_renewals import CampaignForm
from dues.models import RenewalCampaign, Scale
from dues.services import campaigns, reminders

PERMISSION = "dues.manage_renewals"
# Staff see the campaigns (who was reminded, who renewed, who unsubscribed); the treasurer
# changes them.
VIEW_PERMISSION = "dues.view_renewalcampaign"


def _year(request):
    """The year asked for (?annee=), within last year and the year after next; else the
    latest campaign's, else next year's."""
    years = range(current_year() - 1, current_year() + 3)
    try:
        asked = int(request.GET.get("annee", ""))
    except ValueError:
        asked = None
    if asked in years:
        return asked
    latest = RenewalCampaign.objects.filter(year__in=years).order_by("-year").first()
    return latest.year if latest else current_year() + 1


def _page(request, year, form=None, status=200):
    campaign = campaigns.campaign_or_default(year)
    today = timezone.localdate()
    saved = campaign.pk is not None
    initial = {"opens_on": campaign.opens_on, "steps": ", ".join(map(str, campaign.steps))}
    context = {
        "year": year,
        "years": range(current_year() - 1, current_year() + 3),
        "campaign": campaign,
        "saved": saved,
        "form": form or CampaignForm(initial=initial, year=year),
        "scale": Scale.objects.filter(year=year).first(),
        "problems": reminders.problems(campaign) if saved else [],
        "due_step": campaign.due_step(today),
        "dry_run": reminders.decisions(campaign, today) if saved else [],
        "figures": campaigns.figures(campaign) if saved else [],
        "history": campaigns.history(campaign) if saved else [],
        "failures": campaigns.failures(campaign) if saved else [],
        "unsubscribed": campaigns.unsubscribed(campaign) if saved else [],
    }
    return render(request, "dues/renewals.html", context, status=status)


def _back(year):
    return redirect(f"{reverse('dues:renewals')}?annee={year}")


@requires(VIEW_PERMISSION)
def renewals_page(request):
    return _page(request, _year(request))


@requires(PERMISSION)
@require_http_methods(["POST"])
def save_schedule(request, year):
    if year not in range(current_year() - 1, current_year() + 3):
        messages.error(request, _("Cette année n'a pas de campagne possible."))
        return redirect("dues:renewals")
    form = CampaignForm(request.POST, year=year)
    if form.is_valid():
        try:
            campaigns.save_campaign(year, **form.cleaned_data, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Calendrier des relances %(year)s enregistré.") % {"year": year}
            )
            return _back(year)
    return _page(request, year, form=form, status=400)


@requires(PERMISSION)
@require_POST
def pause(request, year):
    campaign = RenewalCampaign.objects.filter(year=year).first()
    if campaign is None:
        messages.error(request, _("Enregistrez d'abord le calendrier de cette campagne."))
        return _back(year)
    paused = request.POST.get("paused") == "1"
    campaigns.set_paused(campaign, paused, actor=request.user)
    messages.success(request, _("Relances suspendues.") if paused else _("Relances reprises."))
    return _back(year)


@requires(PERMISSION)
@require_POST
def copy_scale(request, year):
    if year not in range(current_year() - 1, current_year() + 3):
        messages.error(request, _("Cette année n'a pas de campagne possible."))
        return redirect("dues:renewals")
    try:
        scale = campaigns.copy_scale(year, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Barème %(year)s créé à partir du précédent : vérifiez ses montants.")
            % {"year": scale.year},
        )
    return _back(year)
