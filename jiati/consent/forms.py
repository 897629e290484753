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
from jiati.core.forms import Form
from jiati.core.widgets import DateInput, DateTimeInput
from jiati.housing.models import Dwelling, Stairwell


class VoteOpenForm(Form):
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


class BallotForm(Form):
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


class OnlinePhoneForm(Form):
    phone = forms.CharField(
        label=_("Your mobile number on the owners' roll"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class OnlineCodeForm(Form):
    code = forms.CharField(
        label=_("The 6-digit code we sent"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class OnlineBallotForm(Form):
    voter = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(label=_("Your choice"), choices=Choice.choices, widget=forms.RadioSelect)
    change = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReceiptForm(Form):
    receipt = forms.CharField(
        label=_("Receipt code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class NoticeForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    content = forms.CharField(label=_("Plan and owners' agreement as posted"), widget=forms.Textarea(attrs={"rows": 6}))
    location = forms.CharField(label=_("Posted at"), max_length=255, required=False)
    starts_on = forms.DateField(label=_("First day"), widget=DateInput)
    period_days = forms.IntegerField(label=_("Period"), min_value=1, max_value=90, initial=10)
    day_kind = forms.ChoiceField(label=_("Counted in"), choices=DayKind.choices, initial=DayKind.WORKING)


class ObjectionForm(Form):
    """An objection received at a window, by letter or phone. Who objects: an owner here, found by his dwelling
    (stairwell and room; his name and phone come from the records), or an outside party named in free text."""

    channel = forms.ChoiceField(
        label=_("Received"), choices=[c for c in ObjectionChannel.choices if c[0] != ObjectionChannel.ONLINE]
    )
    stairwell = forms.ModelChoiceField(
        label=_("Objector's stairwell (an owner here)"),
        queryset=Stairwell.objects.none(),
        required=False,
        empty_label=_("— not an owner here (outside party) —"),
    )
    room = forms.CharField(
        label=_("Objector's room"),
        max_length=20,
        required=False,
        help_text=_("The owner of this dwelling is recorded as the objector."),
    )
    name = forms.CharField(
        label=_("Objector's name"),
        max_length=120,
        required=False,
        help_text=_("Required for an outside party; for an owner, the name on record is used if left empty."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=120, required=False)
    content = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        field = self.fields["stairwell"]
        field.queryset = (
            Stairwell.objects.filter(estate_id=project.estate_id)
            .select_related("building")
            .order_by("building__number", "number")
        )
        field.label_from_instance = lambda s: f"{s.building.number} {s.number}"

    def clean(self):
        data = super().clean()
        stairwell, room = data.get("stairwell"), (data.get("room") or "").strip()
        data["dwelling"] = None
        if stairwell is not None or room:
            if stairwell is None:
                self.add_error("stairwell", _("Choose the stairwell of the objector's dwelling."))
            elif not room:
                self.add_error("room", _("Give the objector's room number."))
            else:
                dwelling = (
                    Dwelling.objects.filter(stairwell=stairwell, room__iexact=room).select_related("building").first()
                )
                if dwelling is None:
                    self.add_error(
                        "room",
                        _("There is no room “%(room)s” in %(stairwell)s.")
                        % {"room": room, "stairwell": f"{stairwell.building.number} {stairwell.number}"},
                    )
                data["dwelling"] = dwelling
        elif not (data.get("name") or "").strip():
            self.add_error("name", _("Choose the owner's dwelling, or give the name of an outside party."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "dwelling": data.get("dwelling"),
            "name": data.get("name") or "",
            "phone": data.get("phone") or "",
            "address": data.get("address") or "",
            "content": data["content"],
        }


class OnlineObjectionForm(Form):
    content = forms.CharField(label=_("Your objection"), widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class EscalateForm(Form):
    level = forms.ChoiceField(label=_("Take it to"), choices=ObjectionLevel.choices[1:])
    text = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseObjectionForm(Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ObjectionOutcome.choices)
    text = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawObjectionForm(Form):
    """The objector withdrew: the objection closes without an answer."""

    text = forms.CharField(
        label=_("How it was withdrawn"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. withdrawn in writing at the window on …"),
    )


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


class CostSchemeForm(Form):
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


class TallyForm(Form):
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


# --- rule sets ----------------------------------------------------------------------------

RULE_ROUNDS = 3
THRESHOLD_FIELDS = [
    # field name, (measure, counted, out of), label
    ("participating_area", ("area", "participating", "total"), _("Participating area / all exclusive area")),
    ("participating_owners", ("owners", "participating", "total"), _("Participating owners / all owners")),
    ("agreeing_area", ("area", "agreeing", "participating"), _("Agreeing area / participating area")),
    ("agreeing_owners", ("owners", "agreeing", "participating"), _("Agreeing owners / participating owners")),
    ("agreeing_area_of_total", ("area", "agreeing", "total"), _("Agreeing area / all exclusive area")),
    ("agreeing_owners_of_total", ("owners", "agreeing", "total"), _("Agreeing owners / all owners")),
]


class RuleSetForm(Form):
    """A new version of a rule set (or a new one): thresholds as fractions, who votes, rounds. Each round has
    its fields prefixed r1_, r2_, r3_; rounds 2 and 3 are used only when ticked."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("An existing code makes the next version of that rule set; a new code starts a new one."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    jurisdiction = forms.CharField(label=_("Jurisdiction"), max_length=120, required=False)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=255, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    make_default = forms.BooleanField(label=_("Make it the default rule set"), required=False)
    retire_older = forms.BooleanField(
        label=_("Take the earlier versions out of use for new votes"),
        required=False,
        help_text=_("Votes already held keep the version that decided them."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope_choices = Scope.choices
        for number in range(1, RULE_ROUNDS + 1):
            p = f"r{number}_"
            if number > 1:
                self.fields[p + "enabled"] = forms.BooleanField(
                    label=_("Use round %(n)s") % {"n": number}, required=False
                )
            self.fields[p + "scope"] = forms.ChoiceField(
                label=_("Who votes (default)"), choices=scope_choices, initial=Scope.STAIRWELL
            )
            self.fields[p + "allowed_scopes"] = forms.MultipleChoiceField(
                label=_("Scopes allowed"),
                choices=scope_choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[p + "no_objection_from_others"] = forms.BooleanField(
                label=_("No open objection from other owners (Beijing style)"), required=False
            )
            self.fields[p + "others_scope"] = forms.ChoiceField(
                label=_("Other owners are those of the"),
                choices=scope_choices,
                initial=Scope.BUILDING,
                help_text=_(
                    "Owners of this area who are not on the roll; their objections raised during the vote count."
                ),
            )
            for name, _key, label in THRESHOLD_FIELDS:
                self.fields[p + name] = forms.CharField(
                    label=label,
                    max_length=20,
                    required=False,
                    widget=forms.TextInput(attrs={"placeholder": "2/3", "inputmode": "numeric"}),
                )

    MAIN_FIELDS = ("code", "name", "jurisdiction", "legal_basis", "description", "make_default", "retire_older")

    def main_fields(self) -> list:
        return [self[name] for name in self.MAIN_FIELDS]

    def round_fields(self) -> list[dict]:
        """The bound fields of each round, for the template."""
        rounds = []
        for number in range(1, RULE_ROUNDS + 1):
            p = f"r{number}_"
            rounds.append(
                {
                    "number": number,
                    "enabled": self[p + "enabled"] if number > 1 else None,
                    "settings": [
                        self[p + n] for n in ("scope", "allowed_scopes", "no_objection_from_others", "others_scope")
                    ],
                    "thresholds": [self[p + name] for name, _key, _label in THRESHOLD_FIELDS],
                }
            )
        return rounds

    def rounds(self) -> list[dict]:
        """The rounds in the shape `services.rule_set_create` takes (thresholds checked there)."""
        data = self.cleaned_data
        rounds = []
        for number in range(1, RULE_ROUNDS + 1):
            p = f"r{number}_"
            if number > 1 and not data.get(p + "enabled"):
                continue
            tests = []
            for name, (measure, counted, out_of), _label in THRESHOLD_FIELDS:
                value = (data.get(p + name) or "").strip()
                if value:
                    tests.append({"measure": measure, "numerator": counted, "denominator": out_of, "threshold": value})
            rounds.append(
                {
                    "scope": data.get(p + "scope"),
                    "allowed_scopes": data.get(p + "allowed_scopes") or [],
                    "no_objection_from_others": data.get(p + "no_objection_from_others", False),
                    "others_scope": data.get(p + "others_scope"),
                    "tests": tests,
                }
            )
        return rounds

    @classmethod
    def initial_from(cls, rule_set, rounds: list[dict]) -> dict:
        """Start from a stored version: its texts and each round's settings and thresholds."""
        names = {key: name for name, key, _label in THRESHOLD_FIELDS}
        initial = {
            "code": rule_set.code,
            "name": rule_set.name,
            "jurisdiction": rule_set.jurisdiction,
            "legal_basis": rule_set.legal_basis,
            "description": rule_set.description,
        }
        for number, data in enumerate(rounds[:RULE_ROUNDS], start=1):
            p = f"r{number}_"
            if number > 1:
                initial[p + "enabled"] = True
            initial[p + "scope"] = data["scope"]
            initial[p + "allowed_scopes"] = data["allowed_scopes"]
            initial[p + "no_objection_from_others"] = data["no_objection_from_others"]
            initial[p + "others_scope"] = data["others_scope"]
            for test in data["tests"]:
                name = names.get((test["measure"], test["numerator"], test["denominator"]))
                if name:
                    initial[p + name] = test["threshold"]
        return initial


class BallotStackForm(Form):
    """A stack of signed paper forms: the sheet of choices and the scanned forms as one PDF."""

    sheet = forms.FileField(
        label=_("Spreadsheet of the signed forms (.csv or .xlsx)"),
        help_text=_("Header row: dwelling, owner, choice (or 房号, 业主, 表决意见); choices agree, disagree, abstain."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        required=False,  # kept from the preview when not chosen again (the service says when it is missing)
    )
    scans = forms.FileField(
        label=_("Scanned forms (one PDF)"),
        help_text=_("Each page is matched to its owner by the QR code printed on the form."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
        required=False,
    )
    staged = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        label=_("If a row is refused"),
        choices=[("all", _("Record nothing (all or nothing)")), ("rows", _("Record the other rows (row by row)"))],
        initial="all",
        widget=forms.RadioSelect,
    )
