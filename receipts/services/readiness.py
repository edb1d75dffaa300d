"""What must be known before a fiscal receipt is issued: one place computes each list, and the
treasury page, the services and the commands all read it from here."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.validators import normalize_siren


def company_missing(member):
    """Why a company member cannot have its fiscal receipt (CERFA 16216) yet: [] when it can."""
    missing = []
    try:
        siren = normalize_siren(member.siren)
    except ValidationError as error:
        missing.append(
            _("Le SIREN « %(siren)s » de %(name)s n'est pas valide : %(why)s")
            % {"siren": member.siren, "name": member.display_name, "why": error.messages[0]}
        )
    else:
        if not siren:
            missing.append(_("Le SIREN de %(name)s manque.") % {"name": member.display_name})
    if not member.legal_form.strip():
        missing.append(_("La forme juridique de %(name)s manque.") % {"name": member.display_name})
    return missing
