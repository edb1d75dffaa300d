"""`get_FOO_display()` without rebuilding the field's choices on every call.

Django builds a dictionary of the field's choices each time a row's label is asked for (and
makes every choice hashable first): a list of fifty payments showing their method and status
paid it a hundred times. `ChoiceLabels` keeps one dictionary per field; the labels stay lazy,
translated when shown, as before."""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class ChoiceLabels:
    """A model mixin (before models.Model): same labels as Django's, one dictionary a field."""

    def _get_FIELD_display(self, field):  # noqa: N802 (Django's name)
        labels = field.__dict__.get("_choice_labels")
        if labels is None:
            labels = field.__dict__["_choice_labels"] = dict(make_hashable(field.flatchoices))
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
