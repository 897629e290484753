from django import forms
from django.utils.translation import gettext_lazy as _

from jiati.core.forms import Form
from jiati.organisation.models import Region, RegionLevel


class PhoneForm(Form):
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(Form):
    phone = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("The 6-digit code we sent"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class CommunityField(forms.ModelChoiceField):
    """Optional: where the visitor lives, to name the nearest window and the subsidy in force there."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Region.objects.filter(level=RegionLevel.COMMUNITY, is_retired=False).order_by("path"),
            required=False,
            label=_("Your community (if you know it)"),
            empty_label=_("I don't know"),
            **kwargs,
        )


class SelfCheckForm(Form):
    """The building as the visitor describes it; plausibility is the self-check's rule (portal.checks)."""

    storeys = forms.IntegerField(
        label=_("How many storeys does the building have?"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    year_built = forms.IntegerField(
        label=_("Year built (if you know it)"), required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    space = forms.ChoiceField(
        label=_("Is there free ground next to the stairwell, about 3 m by 3 m?"),
        choices=[("yes", _("Yes")), ("no", _("No")), ("unsure", _("Not sure"))],
        initial="unsure",
        widget=forms.RadioSelect,
    )
    community = CommunityField()


class EstimateForm(Form):
    storeys = forms.IntegerField(
        label=_("Storeys of the building"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    floor = forms.IntegerField(label=_("Your floor"), widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    area = forms.DecimalField(
        label=_("Your home's area (m², on the property certificate)"),
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    per_floor = forms.IntegerField(
        label=_("Homes on each floor of your stairwell"),
        initial=2,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    total_cost = forms.DecimalField(
        label=_("Quoted price of the elevator (yuan), if you have one"),
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
    )
    community = CommunityField()
