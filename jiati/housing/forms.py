"""Forms validate input shape only; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiati.accounts.models import User
from jiati.housing.models import Building, Dwelling, Estate, Owner, Stairwell
from jiati.organisation.models import PropertyOffice


def staff_in_scope(user):
    """Staff the user may assign as responsible: those of the same area."""
    from jiati.accounts.selectors import staff_visible_to

    return staff_visible_to(user=user)


class EstateForm(forms.ModelForm):
    class Meta:
        model = Estate
        fields = ["name", "address", "property_office", "year_built", "responsible_staff"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property_office"].queryset = PropertyOffice.objects.visible_to(user)
        self.fields["responsible_staff"].queryset = staff_in_scope(user)


class BuildingForm(forms.ModelForm):
    class Meta:
        model = Building
        fields = ["number", "storeys", "year_built", "structure", "responsible_person"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_person"].queryset = staff_in_scope(user)


class StairwellForm(forms.ModelForm):
    class Meta:
        model = Stairwell
        fields = ["number", "storeys", "has_elevator"]


class DwellingForm(forms.ModelForm):
    class Meta:
        model = Dwelling
        fields = ["floor", "room", "area_register", "area_survey", "area_contract"]


class OwnerForm(forms.ModelForm):
    class Meta:
        model = Owner
        fields = ["kind", "name", "id_number", "phone"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Housing-stock file (.xlsx or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".xlsx") or name.endswith(".csv")):
            raise forms.ValidationError(_("Upload an .xlsx workbook or a .csv file."), code="file_type")
        from django.conf import settings

        if upload.size > settings.JIATI_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."), code="file_size")
        return upload


__all__ = ["BuildingForm", "DwellingForm", "EstateForm", "ImportForm", "OwnerForm", "StairwellForm", "User"]
