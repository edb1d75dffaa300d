"""The collective's bank details, as members copy them into a transfer."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from charter.models import Collective
from members import audit

FIELDS = ["bank_account_holder", "bank_account_number", "bank_bic"]


def compact_iban(value, *, field="iban"):
    """The IBAN in its compact form ("FR7642559…"), checked (country, length, check digits);
    "" for nothing typed; ValidationError in French, under `field`, otherwise."""
    value = "".join((value or "").split()).upper()
    if not value:
        return ""
    try:
        return IBAN(value).compact
    except SchwiftyException:
        raise ValidationError(
            {field: _("Cet IBAN n'est pas valide : vérifiez-le caractère par caractère.")},
            code="invalid_iban",
        ) from None


def compact_bic(value, *, field="bic"):
    """The BIC in its compact form (8 or 11 characters), checked; "" for nothing typed."""
    value = "".join((value or "").split()).upper()
    if not value:
        return ""
    try:
        return BIC(value).compact
    except SchwiftyException:
        raise ValidationError(
            {field: _("Ce BIC n'est pas valide : 8 ou 11 lettres et chiffres, par ex. CCOPFRPP.")},
            code="invalid_bic",
        ) from None


def update_bank_details(*, holder, iban, bic, actor):
    """Set the account holder's name, the IBAN and the BIC members are told to pay to.

    Invariants: the IBAN and BIC are valid (schwifty: country, length, check digits) and stored
    compact, so the pages group them the same way; an IBAN needs its holder's name (the payer's
    bank checks the name against the IBAN); every change leaves an audit entry with the values
    before and after. Refusals are ValidationErrors keyed by "holder", "iban", "bic".
    """
    holder = " ".join((holder or "").split())
    errors = {}
    values = {}
    for name, check, value in (("iban", compact_iban, iban), ("bic", compact_bic, bic)):
        try:
            values[name] = check(value, field=name)
        except ValidationError as error:
            errors.update(error.error_dict)
    if values.get("iban") and not holder:
        errors["holder"] = [_("Indiquez le titulaire du compte, tel que la banque l'a enregistré.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        collective = Collective.objects.select_for_update().order_by("pk").first()
        if collective is None:
            raise ValidationError(_("L'identité du collectif n'est pas encore enregistrée."))
        before = audit.snapshot(collective, FIELDS)
        collective.bank_account_holder = holder
        collective.bank_account_number = values["iban"]
        collective.bank_bic = values["bic"]
        after = audit.snapshot(collective, FIELDS)
        if after != before:
            collective.save(update_fields=FIELDS)
            audit.record(
                collective,
                audit.Action.BANK_DETAILS_CHANGED,
                actor=actor,
                before=before,
                after=after,
            )
    return collective
