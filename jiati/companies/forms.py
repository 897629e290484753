from django import forms
from django.utils.translation import gettext_lazy as _

from jiati.companies.models import Colour, CompanyKind, LicenceKind, ScoreArea, ViolationKind
from jiati.core.forms import Form
from jiati.core.widgets import DateInput


class CompanyForm(Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=24)
    brand = forms.CharField(label=_("Elevator brand"), max_length=80, required=False)
    is_manufacturer = forms.BooleanField(label=CompanyKind.MAKER.label, required=False)
    is_contractor = forms.BooleanField(label=CompanyKind.CONTRACTOR.label, required=False)
    is_maintainer = forms.BooleanField(label=CompanyKind.MAINTAINER.label, required=False)
    is_designer = forms.BooleanField(label=CompanyKind.DESIGNER.label, required=False)
    is_supervisor = forms.BooleanField(label=CompanyKind.SUPERVISOR.label, required=False)
    is_cost_consultant = forms.BooleanField(label=CompanyKind.COST_CONSULTANT.label, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    hotline = forms.CharField(label=_("24-hour line"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)


class LicenceForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LicenceKind.choices)
    number = forms.CharField(label=_("Licence number"), max_length=60)
    scope = forms.CharField(label=_("Scope"), max_length=255, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput())
    upload = forms.FileField(label=_("Scan"), required=False)


class ContactForm(Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    position = forms.CharField(label=_("Position"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    email = forms.EmailField(label=_("E-mail"), required=False)


class DraftForm(Form):
    period = forms.DateField(label=_("Month (any day in it)"), widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Kind of company"), choices=[(k, CompanyKind(k).label) for k in ("maker", "contractor", "maintainer")]
    )


class ViolationForm(Form):
    company = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=ViolationKind.choices)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence_note = forms.CharField(label=_("Evidence reference"), max_length=255, required=False)
    upload = forms.FileField(label=_("Evidence file"), required=False)


class AppealForm(Form):
    grounds = forms.CharField(label=_("Grounds of the appeal"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"), choices=[("1", _("Uphold")), ("0", _("Dismiss"))], coerce=lambda v: v == "1"
    )
    corrected_colour = forms.ChoiceField(label=_("Corrected list"), choices=Colour.choices, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class SchemeForm(Form):
    """A new version of the score scheme: one weight per area, one deduction per kind of evidence the apps
    declare (`ranking.event_kinds`), the list thresholds and the time to appeal."""

    name = forms.CharField(label=_("Name"), max_length=120)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    red_min_score = forms.DecimalField(label=_("Red list from score"), max_digits=5, decimal_places=2)
    black_below_score = forms.DecimalField(label=_("Black list below score"), max_digits=5, decimal_places=2)
    appeal_days = forms.IntegerField(label=_("Days to appeal"), min_value=1, max_value=90)

    def __init__(self, *args, kinds: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_names = []
        for area in ScoreArea:
            name = f"weight_{area.value}"
            self.fields[name] = forms.DecimalField(label=area.label, max_digits=6, decimal_places=2)
            self.area_names.append(name)
        self.kind_names = []
        for kind, item in kinds.items():
            name = f"points_{kind}"
            self.fields[name] = forms.DecimalField(
                label=item["label"], help_text=item["unit"], max_digits=8, decimal_places=4, required=False
            )
            self.kind_names.append(name)

    @staticmethod
    def initial_from(scheme, *, valid_from) -> dict:
        if scheme is None:
            return {"valid_from": valid_from, "red_min_score": 90, "black_below_score": 60, "appeal_days": 15}
        return {
            "name": scheme.name,
            "valid_from": valid_from,
            "red_min_score": scheme.red_min_score,
            "black_below_score": scheme.black_below_score,
            "appeal_days": scheme.appeal_days,
            **{f"weight_{area}": weight for area, weight in scheme.area_weights.items()},
            **{f"points_{kind}": points for kind, points in scheme.deductions.items()},
        }

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "valid_from": data["valid_from"],
            "red_min_score": data["red_min_score"],
            "black_below_score": data["black_below_score"],
            "appeal_days": data["appeal_days"],
            "area_weights": {name.removeprefix("weight_"): data[name] for name in self.area_names},
            "deductions": {
                name.removeprefix("points_"): data[name] for name in self.kind_names if data.get(name) is not None
            },
        }

    def head_fields(self):
        return [self[name] for name in ("name", "valid_from", "red_min_score", "black_below_score", "appeal_days")]

    def area_fields(self):
        return [self[name] for name in self.area_names]

    def kind_fields(self):
        return [self[name] for name in self.kind_names]
