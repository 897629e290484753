"""Input shapes for consent actions; the rules live in the services."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.consent.models import (
    Choice,
    CostMethod,
    CostScheme,
    DayKind,
    ObjectionChannel,
    ObjectionLevel,
    ObjectionOutcome,
    RuleSet,
    Scope,
)
from jiati.housing.models import Dwelling


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class VoteOpenForm(forms.Form):
    rule_set = forms.ModelChoiceField(label=_("Rule set"), queryset=RuleSet.objects.none(), empty_label=None)
    round_number = forms.TypedChoiceField(label=_("Round"), coerce=int, choices=[(1, "1"), (2, "2"), (3, "3")])
    scope = forms.ChoiceField(label=_("Who votes"), choices=Scope.choices)
    closes_at = forms.DateTimeField(
        label=_("Voting ends"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    plan = forms.CharField(
        label=_("The plan put to the vote"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the owners see before they vote: elevator, position, cost, how costs are shared."),
    )
    cost_scheme = forms.ModelChoiceField(
        label=_("Cost sharing shown to each owner"), queryset=CostScheme.objects.none(), required=False
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_set"].queryset = RuleSet.objects.active().order_by("-is_default", "code", "-version")
        self.fields["cost_scheme"].queryset = CostScheme.objects.filter(project=project, is_current=True)
        self.fields["closes_at"].initial = (timezone.localtime() + dt.timedelta(days=14)).replace(
            hour=18, minute=0, second=0, microsecond=0
        )


class BallotForm(forms.Form):
    choice = forms.ChoiceField(label=_("Choice"), choices=Choice.choices, widget=forms.RadioSelect)
    signed_form = forms.FileField(
        label=_("Signed ballot form (photo or scan)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    proxy_name = forms.CharField(label=_("Proxy (if someone votes for the owner)"), max_length=120, required=False)
    authorisation = forms.FileField(
        label=_("Proxy's signed authorisation"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    change = forms.BooleanField(label=_("This replaces the owner's earlier ballot"), required=False)


class OnlinePhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile number on the owners' roll"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class OnlineCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code we sent"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class OnlineBallotForm(forms.Form):
    voter = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(label=_("Your choice"), choices=Choice.choices, widget=forms.RadioSelect)
    change = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    content = forms.CharField(label=_("Plan and owners' agreement as posted"), widget=forms.Textarea(attrs={"rows": 6}))
    location = forms.CharField(label=_("Posted at"), max_length=255, required=False)
    starts_on = forms.DateField(label=_("First day"), widget=DateInput)
    period_days = forms.IntegerField(label=_("Period"), min_value=1, max_value=90, initial=10)
    day_kind = forms.ChoiceField(label=_("Counted in"), choices=DayKind.choices, initial=DayKind.WORKING)


class ObjectionForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Received"), choices=[c for c in ObjectionChannel.choices if c[0] != ObjectionChannel.ONLINE]
    )
    name = forms.CharField(label=_("Objector"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Dwelling or address"), max_length=120, required=False)
    content = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 3}))


class OnlineObjectionForm(forms.Form):
    content = forms.CharField(label=_("Your objection"), widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class EscalateForm(forms.Form):
    level = forms.ChoiceField(label=_("Take it to"), choices=ObjectionLevel.choices[1:])
    text = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseObjectionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ObjectionOutcome.choices)
    text = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


FLOOR_LINE = re.compile(r"^\s*(\d+)\s*(?:F|层|楼)?\s*[:：=]\s*([0-9.]+)\s*%?\s*$", re.IGNORECASE)


def parse_floor_table(text: str) -> dict[str, str]:
    """ "3: 0.7" per line (or comma-separated) → {"3": "0.7"}; exact strings, never floats."""
    table: dict[str, str] = {}
    for part in re.split(r"[\n,;，；]+", text or ""):
        if not part.strip():
            continue
        match = FLOOR_LINE.match(part)
        if not match:
            raise forms.ValidationError(
                _("Write one “floor: value” per line (e.g. “3: 0.7”); “%(part)s” is not."),
                params={"part": part.strip()},
            )
        try:
            Decimal(match.group(2))
        except InvalidOperation:
            raise forms.ValidationError(_("“%(part)s” is not a number."), params={"part": part.strip()}) from None
        table[match.group(1)] = match.group(2)
    return table


class CostSchemeForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=CostMethod.choices)
    total_cost = forms.DecimalField(
        label=_("Total cost (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    coefficients = forms.CharField(
        label=_("Floor coefficients (floor coefficient × area)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One “floor: coefficient” per line, e.g. 1: 0, 2: 0, 3: 0.7 … (Guangzhou example)."),
    )
    percents = forms.CharField(
        label=_("Percent of the owners' part per floor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One “floor: percent” per line, adding up to 100, e.g. 3: 10, 4: 20, 5: 30, 6: 40 (Hangzhou)."),
    )
    weights = forms.CharField(
        label=_("Custom weights"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One “room: weight” per line."),
    )
    compensation = forms.CharField(
        label=_("Compensation to low floors (yuan per dwelling)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One “floor: amount” per line, e.g. 1: 3000. Paid by the others."),
    )
    hardship = forms.ModelMultipleChoiceField(
        label=_("Households in hardship (the others cover their share)"),
        queryset=Dwelling.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hardship"].queryset = Dwelling.objects.filter(stairwell_id=project.stairwell_id).order_by(
            "floor", "room"
        )
        self.fields["hardship"].label_from_instance = lambda d: f"{d.room} ({d.exclusive_area} m²)"

    def clean_coefficients(self):
        return parse_floor_table(self.cleaned_data["coefficients"])

    def clean_percents(self):
        return parse_floor_table(self.cleaned_data["percents"])

    def clean_compensation(self):
        return parse_floor_table(self.cleaned_data["compensation"])

    def clean_weights(self):
        table: dict[str, str] = {}
        for part in re.split(r"[\n,;，；]+", self.cleaned_data["weights"] or ""):
            if not part.strip():
                continue
            room, sep, value = part.replace("：", ":").partition(":")
            if not sep:
                raise forms.ValidationError(_("Write one “room: weight” per line."))
            table[room.strip()] = value.strip()
        return table

    def parameters(self) -> dict:
        data = self.cleaned_data
        method = data["method"]
        parameters: dict = {}
        if method == CostMethod.FLOOR_COEFFICIENT:
            parameters["coefficients"] = data["coefficients"]
        elif method == CostMethod.FLOOR_PERCENT:
            parameters["percents"] = data["percents"]
        elif method == CostMethod.CUSTOM:
            parameters["weights"] = data["weights"]
        if data["compensation"]:
            parameters["compensation"] = data["compensation"]
        if data["hardship"]:
            parameters["hardship"] = sorted(d.pk for d in data["hardship"])
        return parameters


class TallyForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.csv or .xlsx) with dwelling, owner, area, choice"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    rule = forms.ChoiceField(label=_("Rule set"))
    round_number = forms.TypedChoiceField(label=_("Round"), coerce=int, choices=[(1, "1"), (2, "2")], initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [
            (r.label, str(r)) for r in RuleSet.objects.active().order_by("-is_default", "code", "-version")
        ]
