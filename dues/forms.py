"""The public side's forms: the adhesion / support form at `/adhesion/`.

`AdhesionForm` holds what is not the member's identity (kind, purpose, amount, the charter and
privacy boxes, the honeypot); `AdhesionSubmission` binds it together with the member forms of
`members.forms` (prefixes "ind", "org", "corr"), validates only the chosen kind's part, works out
the amount, and hands everything to `dues.services.pledges.submit_adhesion`.
"""

from decimal import Decimal

from django import forms
from django.forms.models import model_to_dict
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from cac_portal.forms import SubmissionKeyField
from charter import published as charter_published
from charter.templatetags.money import format_euros
from dues.models import PledgeSource, Purpose
from dues.services.pledges import submit_adhesion
from members.forms import KIND_CHOICES, CorrespondentFormSet, IndividualForm, OrganisationForm
from members.models import MemberKind
from members.validators import MoneyField

OTHER = "other"
HONEYPOT = "fax"


def _euros(amount):
    return format_euros(amount, 0 if amount == amount.to_integral_value() else 2)


class AdhesionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Vous adhérez ou soutenez"),
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        initial=MemberKind.INDIVIDUAL,
        error_messages={"required": _("Choisissez : à titre individuel ou pour une organisation.")},
    )
    purpose = forms.ChoiceField(
        label=_("Objet"),
        choices=[
            (Purpose.ADHESION, _("Adhésion")),
            (Purpose.DONATION, _("Soutien / don")),
        ],
        widget=forms.RadioSelect,
        initial=Purpose.ADHESION,
        error_messages={"required": _("Choisissez adhésion ou soutien/don.")},
    )
    tier = forms.ChoiceField(
        label=_("Montant"),
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Choisissez un des montants proposés.")},
    )
    other_amount = MoneyField(label=_("Autre montant (€)"), required=False)
    org_amount = MoneyField(
        label=_("Montant de votre cotisation (€)"),
        required=False,
        help_text=_(
            "Laissez vide pour retenir le montant indicatif de votre tranche de budget ; "
            "chacun peut le moduler selon sa capacité contributive."
        ),
    )
    accept_charter = forms.BooleanField(
        label=_("Je souscris à la charte de principes"),
        error_messages={"required": _("Pour adhérer ou soutenir, souscrivez à la charte.")},
    )
    accept_privacy = forms.BooleanField(
        label=_(
            "J'ai lu la politique de confidentialité et j'accepte le traitement de mes données"
        ),
        error_messages={"required": _("Acceptez la politique de confidentialité pour continuer.")},
    )
    charter_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    privacy_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission_key = SubmissionKeyField()
    # Hidden from people (CSS and aria-hidden), filled by bots that fill every box.
    fax = forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, scale=None, charter=None, privacy_notice=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = scale
        self.charter = charter
        self.privacy_notice = privacy_notice
        tiers = scale.tiers_of(MemberKind.INDIVIDUAL) if scale else []
        self.individual_tiers = tiers
        choices = []
        for tier in tiers:
            label = tier.label
            if scale.tax_reduction_rate:
                label = _("%(label)s — ne coûte que %(net)s après réduction d'impôt") % {
                    "label": tier.label,
                    "net": _euros(scale.net_cost(tier.amount)),
                }
            choices.append((f"{tier.amount:.2f}", label))
        choices.append((OTHER, _("Autre montant")))
        self.fields["tier"].choices = choices
        if tiers:
            self.fields["tier"].initial = f"{tiers[len(tiers) // 2].amount:.2f}"
        self.fields["charter_version"].initial = charter.version if charter else None
        self.fields["privacy_version"].initial = privacy_notice.version if privacy_notice else None
        if charter:
            self.fields["accept_charter"].label = _(
                "Je souscris à la charte de principes (version %(version)s)"
            ) % {"version": charter.version}

    @property
    def is_bot(self):
        return bool(self.data.get(HONEYPOT))

    def clean(self):
        cleaned = super().clean()
        if self.charter and cleaned.get("charter_version") not in (None, self.charter.version):
            self.add_error(
                "accept_charter",
                _("La charte a changé pendant que vous remplissiez le formulaire : relisez-la."),
            )
        if self.privacy_notice and cleaned.get("privacy_version") not in (
            None,
            self.privacy_notice.version,
        ):
            self.add_error(
                "accept_privacy",
                _("La politique de confidentialité a changé : relisez-la avant d'accepter."),
            )
        kind = cleaned.get("kind")
        if kind == MemberKind.INDIVIDUAL:
            tier = cleaned.get("tier")
            if not tier:
                self.add_error("tier", _("Choisissez un montant."))
            elif tier == OTHER:
                if cleaned.get("other_amount") is None and "other_amount" not in self.errors:
                    self.add_error("other_amount", _("Indiquez le montant de votre choix."))
                cleaned["amount"] = cleaned.get("other_amount")
            else:
                cleaned["amount"] = Decimal(tier)
        elif kind == MemberKind.ORGANISATION:
            cleaned["amount"] = cleaned.get("org_amount")
        return cleaned


class AdhesionSubmission:
    """The whole page's forms, bound together; validates only the part of the chosen kind."""

    def __init__(self, data=None, *, scale=None, initial=None, member=None):
        self.data = data
        self.scale = scale
        self.charter = charter_published.current_charter()
        self.privacy_notice = charter_published.current_privacy_notice()
        self.form = AdhesionForm(
            data,
            scale=scale,
            charter=self.charter,
            privacy_notice=self.privacy_notice,
            initial=initial,
        )
        self.member = member
        if member is not None and data is None:
            self.form.initial["kind"] = member.kind
        self.amount = None
        self.suggested = None

    # The member forms are built when first read: the blank form's page, drawn once per
    # process ({% remembered %}), never reads them again.
    def _known(self, organisation):
        """A logged-in member finds their details already typed (never bound to their row)."""
        member = self.member
        if member is None or self.data is not None:
            return None
        is_org = member.kind == MemberKind.ORGANISATION
        return model_to_dict(member) if is_org == organisation else None

    @cached_property
    def individual(self):
        return IndividualForm(self.data, prefix="ind", initial=self._known(False))

    @cached_property
    def organisation(self):
        return OrganisationForm(self.data, prefix="org", initial=self._known(True))

    @cached_property
    def correspondents(self):
        return CorrespondentFormSet(self.data, prefix="corr")

    @property
    def kind(self):
        if self.form.is_bound:
            value = self.form.data.get("kind")
            return value if value in MemberKind.values else None
        return self.form.initial.get("kind") or self.form.fields["kind"].initial

    def with_one_more_correspondent(self):
        """The same data with one more empty correspondent row (the no-JavaScript "add")."""
        data = self.data.copy()
        key = f"{self.correspondents.prefix}-TOTAL_FORMS"
        try:
            total = int(data.get(key, 0))
        except (TypeError, ValueError):
            total = 0
        data[key] = str(max(0, min(total + 1, self.correspondents.max_num)))
        return AdhesionSubmission(data, scale=self.scale)

    def brackets(self):
        """The organisations' tiers with their lower bound, for the table shown under the budget."""
        if self.scale is None:
            return []
        rows, floor = [], None
        for tier in self.scale.tiers_of(MemberKind.ORGANISATION):
            rows.append({"floor": floor, "ceiling": tier.budget_ceiling, "amount": tier.amount})
            floor = tier.budget_ceiling
        return rows

    @property
    def is_bot(self):
        return self.form.is_bound and self.form.is_bot

    def _organisation_amount(self):
        """The amount typed, else the budget's tier; the errors saying what is missing."""
        budget = self.organisation.cleaned_data.get("annual_budget")
        if budget is not None and self.scale is not None:
            self.suggested = self.scale.suggested_amount(budget)
        amount = self.form.cleaned_data.get("amount") or self.suggested
        if amount is None and not self.form.has_error("org_amount"):
            if budget is None and not self.organisation.has_error("annual_budget"):
                self.organisation.add_error(
                    "annual_budget", _("Indiquez votre budget annuel, ou un montant ci-dessous.")
                )
            self.form.add_error("org_amount", _("Indiquez un montant."))
        return amount

    def is_valid(self):
        valid = self.form.is_valid()
        kind = self.form.cleaned_data.get("kind")
        if kind == MemberKind.INDIVIDUAL:
            valid = self.individual.is_valid() and valid
            self.amount = self.form.cleaned_data.get("amount")
        elif kind == MemberKind.ORGANISATION:
            # Every part is validated (all errors shown at once), then the amount worked out.
            valid = all([self.organisation.is_valid(), self.correspondents.is_valid(), valid])
            self.amount = self._organisation_amount()
        return valid and self.amount is not None

    @property
    def member_form(self):
        return self.organisation if self.kind == MemberKind.ORGANISATION else self.individual

    @property
    def key(self):
        return self.form.cleaned_data.get("submission_key")

    def submit(self, *, actor, own=None, year=None):
        """Call once `is_valid()`; returns `submit_adhesion`'s `AdhesionResult`.

        A logged-in member (`own`: the member they act for) pledges for their own record (of
        the same kind), whatever email they typed; anyone else is matched by email.
        """
        kind = self.form.cleaned_data["kind"]
        return submit_adhesion(
            member=own if own is not None and own.kind == kind else None,
            kind=kind,
            member_data=self.member_form.contact_data(),
            correspondents=(
                self.correspondents.correspondents() if kind == MemberKind.ORGANISATION else ()
            ),
            purpose=self.form.cleaned_data["purpose"],
            amount=self.amount,
            year=year,
            source=PledgeSource.ONLINE,
            actor=actor,
            charter=self.charter,
            privacy_notice=self.privacy_notice,
            # The page's language (the visitor's choice), kept for the member's emails.
            language=translation.get_language() or "",
        )
