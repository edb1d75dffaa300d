"""Once per form: the one-time key a creating form carries makes a second POST of it (a double
click, a replay, two requests at once) return the first result instead of creating again.

The key's row is inserted first, in the transaction that creates: on PostgreSQL a second
request with the same key waits on the unique index until the first commits, then finds its
row; if the first rolled back (a refusal), the key is free again and the form can be sent
once more, corrected.
"""

import dataclasses

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from members.audit import acting_user
from members.models import Submission


@dataclasses.dataclass(frozen=True)
class Outcome:
    target: object
    result: dict
    replayed: bool


def _first(key, actor):
    first = Submission.objects.select_related("content_type").get(key=key)
    if first.actor_id != getattr(acting_user(actor), "pk", None):
        # Only the first POST's author is answered with its result: a key sent by anyone
        # else shows them nothing of it.
        raise ValidationError(_("Ce formulaire a déjà été envoyé ; rechargez la page."))
    return Outcome(target=first.target, result=first.result, replayed=True)


def previous(key, *, actor):
    """The first POST's `Outcome` for `key` if there was one, else None: for forms whose
    validation itself changes once they were sent (the cheques are on the slip now)."""
    actor_pk = getattr(acting_user(actor), "pk", None)
    if key is None or not Submission.objects.filter(key=key, actor_id=actor_pk).exists():
        return None
    return _first(key, actor)


def once(key, create, *, actor):
    """`create()` → (created object, result dict) run once per `key`, in one transaction with
    the key's row. Returns an `Outcome`; `replayed` says it is the first POST's. No key (a
    client that did not send the form's) runs `create()` without the guard."""
    if key is None:
        target, result = create()
        return Outcome(target=target, result=result, replayed=False)
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = Submission.objects.create(key=key, actor=acting_user(actor))
        except IntegrityError:
            return _first(key, actor)
        target, result = create()
        if target is not None:
            submission.content_type = ContentType.objects.get_for_model(target)
            submission.object_id = str(target.pk)
        submission.result = result
        submission.save(update_fields=["content_type", "object_id", "result"])
    return Outcome(target=target, result=result, replayed=False)
