"""The collective's fiscal identity, as the treasurer keeps it: numbers, quality, articles of
the CGI, rescrit, signatory and signature image.

Invariant: every change goes through `update_fiscal_identity`, checked by the model's own rules
(RNA and SIREN formats, the dates a quality needs) and recorded in the audit trail with the
values before and after. The signature image is re-encoded (PNG, metadata gone) under a new
name: receipts already issued keep pointing at the image they were signed with.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from charter.models import Collective
from members import audit
from members.models import AuditEntry
from members.validators import normalize_rna, normalize_siren

FISCAL_FIELDS = [
    "rna",
    "siren",
    "legal_quality",
    "quality_decree_on",
    "quality_published_on",
    "quality_order_on",
    "quality_approved_on",
    "quality_other",
    "article_200",
    "article_238_bis",
    "rescrit_reference",
    "rescrit_on",
    "object",
    "signatory_name",
    "signatory_title",
    "signature_place",
]
SIGNATURE_MAX_BYTES = 1024 * 1024
SIGNATURE_MIN_PIXELS = (40, 15)
SIGNATURE_MAX_PIXELS = (2000, 2000)
SIGNATURE_FORMATS = {"PNG", "JPEG"}


def _not_an_image():
    return ValidationError(
        _(
            "Ce fichier n'est pas une image PNG ou JPEG : enregistrez la signature dans l'un de "
            "ces formats."
        ),
        code="signature_format",
    )


def _check_size(width, height):
    (min_w, min_h), (max_w, max_h) = SIGNATURE_MIN_PIXELS, SIGNATURE_MAX_PIXELS
    if width > max_w or height > max_h:
        raise ValidationError(
            _(
                "L'image mesure %(w)s × %(h)s pixels : %(max_w)s × %(max_h)s pixels au plus, "
                "recadrez-la autour de la signature."
            )
            % {"w": width, "h": height, "max_w": max_w, "max_h": max_h},
            code="signature_dimensions",
        )
    if width < min_w or height < min_h:
        raise ValidationError(
            _("L'image mesure %(w)s × %(h)s pixels : trop petite pour être lisible.")
            % {"w": width, "h": height},
            code="signature_dimensions",
        )


def read_signature(upload):
    """The uploaded signature re-encoded as PNG bytes, or ValidationError in French: PNG or
    JPEG only, 1 MB at most, sane dimensions (read from the header before any decoding)."""
    if upload.size > SIGNATURE_MAX_BYTES:
        raise ValidationError(
            _("L'image dépasse 1 Mo : réduisez-la ou enregistrez-la en PNG."),
            code="signature_size",
        )
    data = upload.read(SIGNATURE_MAX_BYTES + 1)
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in SIGNATURE_FORMATS:
            raise _not_an_image()
        _check_size(*image.size)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise _not_an_image() from None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _snapshot(collective):
    values = audit.snapshot(collective, FISCAL_FIELDS)
    values["signature"] = collective.signature.name if collective.signature else ""
    return values


def update_fiscal_identity(collective, *, values, signature=None, actor):
    """Apply `values` (the FISCAL_FIELDS a form cleaned) and, if given, the re-encoded
    `signature` PNG bytes, to the collective's row; one transaction, one audit entry.
    Raises ValidationError (by field) if the result breaks a rule of the model."""
    with transaction.atomic():
        locked = Collective.objects.select_for_update().get(pk=collective.pk)
        before = _snapshot(locked)
        for field in FISCAL_FIELDS:
            if field in values:
                setattr(locked, field, values[field])
        for field, normalize in (("rna", normalize_rna), ("siren", normalize_siren)):
            try:
                setattr(locked, field, normalize(getattr(locked, field)))
            except ValidationError as error:
                raise ValidationError({field: error.messages}) from None
        locked.full_clean(exclude=["signature"])
        if signature is not None:
            locked.signature.save(f"{uuid.uuid4().hex}.png", ContentFile(signature), save=False)
        locked.save()
        after = _snapshot(locked)
        if after != before:
            audit.record(
                locked,
                AuditEntry.Action.COLLECTIVE_FISCAL_CHANGED,
                actor=actor,
                before=before,
                after=after,
            )
    return locked
