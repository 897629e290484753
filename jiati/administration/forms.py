from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jiati.accounts.models import Role
from jiati.administration.permissions import MANAGED_ROLES
from jiati.core.forms import Form


def role_choices():
    return [(role.value, role.label) for role in Role if role in MANAGED_ROLES]


class AccountForm(Form):
    full_name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    role = forms.ChoiceField(label=_("Role"), choices=role_choices)
    unit = forms.CharField(
        label=_("Unit code"),
        max_length=40,
        required=False,
        help_text=_(
            "A division code (district, subdistrict or community), a property office's code or a company's credit code."
        ),
    )
    username = forms.CharField(
        label=_("Login"), max_length=150, required=False, help_text=_("Leave empty to sign in with the phone number.")
    )
    is_unit_admin = forms.BooleanField(label=_("Administers its company's logins"), required=False)


class AccountChangeForm(AccountForm):
    username = None


class TableUploadForm(Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx workbook or a .csv file."), code="file_type")
        if upload.size > settings.JIATI_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."), code="file_size")
        return upload


class AssignForm(Form):
    estate_code = forms.CharField(label=_("Estate code"), max_length=40)
    building = forms.CharField(
        label=_("Building number"), max_length=40, required=False, help_text=_("Empty: the whole estate (分片包干).")
    )
    person = forms.CharField(label=_("Person (phone or login)"), max_length=150)


class TokenForm(Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("The 6 digits your authenticator app shows now, or one of your recovery codes."),
    )
