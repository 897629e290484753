from django import forms
from django.utils.translation import gettext_lazy as _

from jiati.companies.models import Company
from jiati.core.forms import Form
from jiati.core.widgets import DateInput
from jiati.elevators.models import FaultKind, InspectionResult, Payer, ShareMethod


class ElevatorForm(Form):
    equipment_code = forms.CharField(label=_("Equipment code (20 digits)"), max_length=24, required=False)
    registration_number = forms.CharField(label=_("Registration certificate number"), max_length=60, required=False)
    registered_on = forms.DateField(label=_("Registered on"), required=False, widget=DateInput())
    maker = forms.ModelChoiceField(
        label=_("Maker"), queryset=Company.objects.filter(is_manufacturer=True), required=False
    )
    model_name = forms.CharField(label=_("Model"), max_length=80, required=False)
    rated_load_kg = forms.IntegerField(label=_("Rated load (kg)"), min_value=1, required=False)
    speed = forms.DecimalField(
        label=_("Rated speed (m/s)"), max_digits=4, decimal_places=2, min_value=0, required=False
    )
    stops = forms.IntegerField(label=_("Stops"), min_value=2, max_value=200, required=False)
    installer = forms.ModelChoiceField(
        label=_("Installer"), queryset=Company.objects.filter(is_contractor=True), required=False
    )
    maintainer = forms.ModelChoiceField(
        label=_("Maintainer"), queryset=Company.objects.filter(is_maintainer=True), required=False
    )
    contract_start = forms.DateField(label=_("Maintenance contract from"), required=False, widget=DateInput())
    contract_end = forms.DateField(label=_("Maintenance contract until"), required=False, widget=DateInput())
    contract_fee = forms.DecimalField(
        label=_("Maintenance fee per year (yuan)"), max_digits=10, decimal_places=2, required=False
    )
    fee_payer = forms.ChoiceField(label=_("Who pays"), choices=Payer.choices)
    free_maintenance_until = forms.DateField(label=_("Free maintenance until"), required=False, widget=DateInput())
    takeover_maintainer = forms.ModelChoiceField(
        label=_("Maintainer after the free period"), queryset=Company.objects.filter(is_maintainer=True), required=False
    )


class VisitForm(Form):
    visited_on = forms.DateField(label=_("Date of visit"), widget=DateInput())
    items = forms.CharField(label=_("Items done"), widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("Photo"), required=False)


class InspectionForm(Form):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput())
    result = forms.ChoiceField(label=_("Result"), choices=[c for c in InspectionResult.choices if c[0] != "due"])
    defects = forms.CharField(label=_("Defects"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    body = forms.CharField(label=_("Inspection body"), max_length=120, required=False)


class FaultForm(Form):
    kind = forms.ChoiceField(label=_("What is wrong?"), choices=FaultKind.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Details (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    phone = forms.CharField(label=_("Your mobile number, for the reply"), max_length=20)


class CodeForm(Form):
    code = forms.CharField(label=_("Code from the text message"), max_length=6)


class CloseForm(Form):
    cause = forms.CharField(label=_("Cause"), widget=forms.Textarea(attrs={"rows": 2}))
    repair = forms.CharField(label=_("Repair done"), widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(Form):
    rating = forms.TypedChoiceField(
        label=_("How was the repair?"),
        choices=[(i, "★" * i) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment (optional)"), max_length=255, required=False)


class RunningCostForm(Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    maintenance = forms.DecimalField(label=_("Maintenance fee"), decimal_places=2, required=False)
    electricity = forms.DecimalField(label=_("Electricity"), decimal_places=2, required=False)
    inspection = forms.DecimalField(label=_("Inspection fee"), decimal_places=2, required=False)
    repairs = forms.DecimalField(label=_("Repairs"), decimal_places=2, required=False)
    insurance = forms.DecimalField(label=_("Insurance"), decimal_places=2, required=False)
    method = forms.ChoiceField(label=_("Sharing method"), choices=ShareMethod.choices)
    coefficients = forms.CharField(
        label=_("Floor coefficients or own table"),
        required=False,
        help_text=_("One per line: “3: 0.7” (floor: coefficient) or “301: 1.2” (room: weight)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def parameters(self) -> dict:
        table = {}
        for line in (self.cleaned_data.get("coefficients") or "").splitlines():
            if ":" in line:
                key, value = line.split(":", 1)
                table[key.strip()] = value.strip()
        method = self.cleaned_data.get("method")
        if method == "floor_coefficient":
            return {"coefficients": table}
        if method == "custom":
            return {"weights": table}
        return {}


class PaymentForm(Form):
    amount = forms.DecimalField(label=_("Amount (yuan)"), decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=120, required=False)
