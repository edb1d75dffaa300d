"""Form pieces every app uses; this module imports no app.

Django's CharField already refuses NUL bytes (PostgreSQL cannot store or even compare them), so
every text field of every form does. What bypassed forms were the search boxes, read raw from
the query string: `SearchForm` is their form.
"""

import unicodedata
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SEARCH_MAX_LENGTH = 100


def has_control_characters(value):
    """True if `value` holds a control character (NUL, escape, bell…): nobody types one."""
    return any(unicodedata.category(char) == "Cc" for char in value)


class SearchField(forms.CharField):
    """What a person types in a search box: runs of white space (a pasted tab or line break)
    become one space; a control character is refused with a message, not sent to the
    database."""

    widget = forms.SearchInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = " ".join(super().to_python(value).split())
        if has_control_characters(value):
            raise ValidationError(
                _("La recherche contient un caractère invisible ou de contrôle : retirez-le."),
                code="control_character",
            )
        return value


class SearchForm(forms.Form):
    """A search box `q` (GET); `query` is what to search for, "" when the box is empty or
    invalid (the errors say why, next to the box)."""

    q = SearchField(label=_("Rechercher"))

    def __init__(self, data=None, *, label=None, **kwargs):
        super().__init__(data, **kwargs)
        if label is not None:
            self.fields["q"].label = label

    @property
    def query(self):
        return self.cleaned_data["q"] if self.is_bound and self.is_valid() else ""


class SubmissionKeyField(forms.UUIDField):
    """The hidden one-time key of a creating form, new each time the form is shown (see
    `members.submissions.once`). A missing or malformed key is no error: the form is then
    simply not guarded against being sent twice."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return None


class SubmissionKeyForm(forms.Form):
    """A creating form's key alone, for pages whose other fields are not in a Django form."""

    submission_key = SubmissionKeyField()

    @property
    def key(self):
        return self.cleaned_data.get("submission_key") if self.is_valid() else None
