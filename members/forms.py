"""The member's identity and contact forms, shared by the online form (`/adhesion/`), the staff's
paper form (`/gestion/`) and the member's own edit page (`/compte/`): one set of rules, in French.

- `IndividualForm`, `OrganisationForm`: ModelForms on `Member` for each kind (`member_form_class`
  picks one). `require_email=False` for paper forms sent without an email address.
- `CorrespondentForm` and `CorrespondentFormSet`: an organisation's correspondents (at least one)
  for a member not saved yet; `formset.correspondents()` gives their cleaned data.
- `CorrespondentInlineFormSet`: the same, bound to a saved organisation (edit page).
- `InvitationForm`, `StaffAccessForm`: letting someone into a member's space.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, BaseInlineFormSet, formset_factory, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from cac_portal.forms import SubmissionKeyField
from members.models import CONTACT_FIELDS, Access, Correspondent, Member, MemberKind
from members.validators import (
    BUDGET_CEILING,
    COUNTRY_CHOICES,
    DEFAULT_REGION,
    MoneyField,
    PhoneField,
    PostalCodeField,
    WebsiteField,
    normalize_postal_code,
)

# How a form asks who adheres: the online form and the staff's paper form ask it the same way.
KIND_CHOICES = [
    (MemberKind.INDIVIDUAL, _("à titre individuel (personne physique)")),
    (MemberKind.ORGANISATION, _("au nom d'une organisation (personne morale)")),
]

COUNT_CEILING = 10_000_000
MAX_CORRESPONDENTS = 20


def _text(autocomplete=None, **attrs):
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return forms.TextInput(attrs=attrs)


class MemberContactForm(forms.ModelForm):
    """What both kinds share: phones in E.164, a postal code checked against the country."""

    kind = None
    required_fields = ("street", "postal_code", "city")

    phone_mobile = PhoneField(label=_("Mobile"))
    website = WebsiteField(
        label=_("Site internet"),
        widget=forms.URLInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )
    postal_code = PostalCodeField(label=_("Code postal"))
    country = forms.ChoiceField(label=_("Pays"), choices=COUNTRY_CHOICES, initial=DEFAULT_REGION)

    def __init__(self, *args, require_email=True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # The model's constraints (checked by ModelForm) depend on the kind.
            self.instance.kind = self.kind
        self.fields["email"].required = require_email
        self.fields["email"].error_messages["invalid"] = _("Saisissez une adresse e-mail valide.")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        for name in self.required_fields:
            self.fields[name].required = True
        for field in self.fields.values():
            field.error_messages.setdefault("required", _("Ce champ est obligatoire."))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("postal_code"):
            try:
                cleaned["postal_code"] = normalize_postal_code(
                    cleaned["postal_code"], cleaned.get("country") or DEFAULT_REGION
                )
            except ValidationError as error:
                self.add_error("postal_code", error)
        return cleaned

    def contact_data(self):
        """The cleaned values as keyword arguments for `dues.services.pledges.submit_adhesion`."""
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class IndividualForm(MemberContactForm):
    kind = MemberKind.INDIVIDUAL
    required_fields = ("last_name", "first_name", "street", "postal_code", "city")

    phone_professional = PhoneField(label=_("Tél. professionnel"))
    phone_home = PhoneField(label=_("Tél. domicile"))

    class Meta:
        model = Member
        fields = CONTACT_FIELDS[MemberKind.INDIVIDUAL]
        labels = {
            "last_name": _("Nom"),
            "first_name": _("Prénom"),
            "activity": _("Association / activité(s)"),
            "function": _("Fonction"),
            "email": _("E-mail"),
            "street": _("Adresse"),
            "city": _("Ville"),
        }
        widgets = {
            "last_name": _text("family-name"),
            "first_name": _text("given-name"),
            "activity": _text("organization"),
            "function": _text("organization-title"),
            "street": _text("street-address"),
            "city": _text("address-level2"),
        }


class OrganisationForm(MemberContactForm):
    kind = MemberKind.ORGANISATION

    phone = PhoneField(label=_("Téléphone"))
    annual_budget = MoneyField(
        label=_("Budget annuel (€)"),
        required=False,
        ceiling=BUDGET_CEILING,
        allow_zero=True,
        help_text=_("Il donne le montant indicatif de votre cotisation."),
    )
    federations_count = forms.IntegerField(
        label=_("Fédérations regroupées"), required=False, min_value=0, max_value=COUNT_CEILING
    )
    associations_count = forms.IntegerField(
        label=_("Associations regroupées"), required=False, min_value=0, max_value=COUNT_CEILING
    )
    members_count = forms.IntegerField(
        label=_("Adhérents au total"), required=False, min_value=0, max_value=COUNT_CEILING
    )

    class Meta:
        model = Member
        fields = CONTACT_FIELDS[MemberKind.ORGANISATION]
        labels = {
            "name": _("Nom de votre structure"),
            "acronym": _("Sigle"),
            "email": _("E-mail"),
            "street": _("Adresse"),
            "city": _("Ville"),
            "directory_opt_in": _("Figurer dans l'annuaire public des membres"),
            "directory_description": _("Description en une ligne (pour l'annuaire)"),
        }
        widgets = {
            "name": _text("organization"),
            "acronym": _text("off"),
            "street": _text("street-address"),
            "city": _text("address-level2"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        for name in ("federations_count", "associations_count", "members_count"):
            self.fields[name].widget.attrs.update(inputmode="numeric")
            self.fields[name].error_messages["invalid"] = _("Saisissez un nombre entier.")


def member_form_class(kind):
    return OrganisationForm if kind == MemberKind.ORGANISATION else IndividualForm


class CorrespondentForm(forms.ModelForm):
    phone_professional = PhoneField(label=_("Téléphone professionnel"))
    phone_mobile = PhoneField(label=_("Mobile"))

    class Meta:
        model = Correspondent
        fields = ["name", "function", "email", "phone_professional", "phone_mobile"]
        labels = {
            "name": _("Nom et prénom"),
            "function": _("Fonction"),
            "email": _("E-mail"),
        }
        widgets = {"name": _text("name"), "function": _text("organization-title")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Indiquez le nom du correspondant.")
        self.fields["email"].error_messages["invalid"] = _("Saisissez une adresse e-mail valide.")

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip()


class _AtLeastOneCorrespondent:
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.correspondents():
            raise ValidationError(_("Indiquez au moins un correspondant."), code="too_few_forms")

    def correspondents(self):
        """The filled, not deleted rows' cleaned data, in order."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data.get("name") or data.get("DELETE"):
                continue
            rows.append({key: data.get(key, "") for key in CorrespondentForm.Meta.fields})
        return rows


class BaseCorrespondentFormSet(_AtLeastOneCorrespondent, BaseFormSet):
    """Correspondents of an organisation not saved yet (the adhesion and paper forms)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.empty_permitted = True
        form.use_required_attribute = False


CorrespondentFormSet = formset_factory(
    CorrespondentForm,
    formset=BaseCorrespondentFormSet,
    extra=2,
    max_num=MAX_CORRESPONDENTS,
    validate_max=True,
    absolute_max=MAX_CORRESPONDENTS,
)


class BaseCorrespondentInlineFormSet(_AtLeastOneCorrespondent, BaseInlineFormSet):
    pass


CorrespondentInlineFormSet = inlineformset_factory(
    Member,
    Correspondent,
    form=CorrespondentForm,
    formset=BaseCorrespondentInlineFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_CORRESPONDENTS,
    validate_max=True,
    absolute_max=MAX_CORRESPONDENTS,
)


def _invited_email():
    return forms.EmailField(
        label=_("E-mail de la personne à inviter"),
        max_length=254,
        error_messages={
            "required": _("Indiquez l'adresse e-mail de la personne à inviter."),
            "invalid": _("Saisissez une adresse e-mail valide."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class InvitationForm(forms.Form):
    """An owner (or staff) lets someone into a member's space: their email address."""

    submission_key = SubmissionKeyField()
    email = _invited_email()


class StaffAccessForm(forms.Form):
    """Staff open a member's space to an email address: its account at once if it has one
    (verified), else an invitation."""

    submission_key = SubmissionKeyField()
    email = _invited_email()
    role = forms.ChoiceField(
        label=_("Rôle"), choices=Access.Role.choices, initial=Access.Role.MEMBER
    )


class CloseAccountForm(forms.Form):
    """The member closes their account: their password again, so that a session left open
    on a shared computer cannot."""

    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Ce mot de passe n'est pas le bon."))
        return password


class StaffCloseForm(forms.Form):
    """Staff close a member's account on its written request: the request is the reason."""

    reason = forms.CharField(
        label=_("Demande écrite du membre (date, moyen, références)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
