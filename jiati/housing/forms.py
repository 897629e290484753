"""Forms validate input shape only; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiati.accounts.models import User
from jiati.accounts.permissions import sees_personal_data
from jiati.accounts.selectors import staff_visible_to
from jiati.core.forms import Form, ModelForm
from jiati.core.personal_data import MASKS
from jiati.housing.import_services import import_upload_check
from jiati.housing.models import Building, Dwelling, Estate, Owner, Stairwell
from jiati.organisation.models import PropertyOffice
from jiati.web.personal import personal_value


def staff_in_scope(user):
    """Staff the user may assign as responsible: those of the same area."""

    return staff_visible_to(user=user)


class ServiceFormMixin:
    """A registry form hands its service the fields to change (`service_data`)."""

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EstateForm(ServiceFormMixin, ModelForm):
    class Meta:
        model = Estate
        fields = ["name", "address", "property_office", "year_built", "responsible_staff"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property_office"].queryset = PropertyOffice.objects.visible_to(user)
        self.fields["responsible_staff"].queryset = staff_in_scope(user)


class BuildingForm(ServiceFormMixin, ModelForm):
    class Meta:
        model = Building
        fields = ["number", "storeys", "year_built", "structure", "responsible_person"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_person"].queryset = staff_in_scope(user)


class StairwellForm(ServiceFormMixin, ModelForm):
    class Meta:
        model = Stairwell
        fields = ["number", "storeys", "has_elevator"]


class DwellingForm(ServiceFormMixin, ModelForm):
    class Meta:
        model = Dwelling
        fields = ["floor", "room", "area_register", "area_survey", "area_contract"]


class OwnerForm(ServiceFormMixin, ModelForm):
    """An owner's details. Personal data the user's role may not see in full never reaches the page: its input
    starts empty with the mask as placeholder, and stays as stored unless a new value is typed."""

    PERSONAL_FIELDS = ("id_number", "phone")

    class Meta:
        model = Owner
        fields = ["kind", "name", "id_number", "phone"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.masked_fields: list[str] = []
        for name in self.PERSONAL_FIELDS:
            if sees_personal_data(user, name):
                if not self.is_bound and self.instance.pk:  # the input shows the stored value in full: recorded
                    personal_value(user, getattr(self.instance, name), name, subject=self.instance)
                continue
            field = self.fields[name]
            self.initial[name] = ""
            field.required = False
            field.widget.attrs.update({"placeholder": MASKS[name](getattr(self.instance, name)), "autocomplete": "off"})
            field.help_text = _("Shown masked for your role. Leave blank to keep it; type a new value to replace it.")
            self.masked_fields.append(name)

    def service_data(self) -> dict:
        data = super().service_data()
        for name in self.masked_fields:
            if not data[name]:
                del data[name]  # blank keeps the stored value
        return data


class ImportForm(Form):
    file = forms.FileField(label=_("Housing-stock file (.xlsx or .csv)"))

    def clean_file(self):
        """The service's own upload check, so the page refuses the file before storing it."""
        upload = self.cleaned_data["file"]
        import_upload_check(upload=upload, field=None)
        return upload


__all__ = ["BuildingForm", "DwellingForm", "EstateForm", "ImportForm", "OwnerForm", "StairwellForm", "User"]
