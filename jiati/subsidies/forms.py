"""Input shapes for subsidy actions; the rules are in the services."""

from __future__ import annotations

from uuid import uuid4

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.core.forms import Form
from jiati.core.widgets import DateInput
from jiati.housing.models import Owner, Ownership
from jiati.subsidies.models import (
    DEFAULT_REQUIRED_DOCUMENTS,
    ApplicantKind,
    Decision,
    PaymentBatch,
    Source,
    SubsidyDocumentKind,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class IdempotentForm(Form):
    """Carries a request key made when the form is shown: a retried or double submission records once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid4().hex)


class ApplicationForm(Form):
    applicant_kind = forms.ChoiceField(label=_("Who applies"), choices=ApplicantKind.choices)
    applicant_owner = forms.ModelChoiceField(label=_("Lead owner"), queryset=Owner.objects.none(), required=False)
    applicant_name = forms.CharField(label=_("Implementing body"), required=False, max_length=120)
    applicant_phone = forms.CharField(label=_("Applicant's phone"), required=False, max_length=20)
    payee_name = forms.CharField(label=_("Payee"), required=False, max_length=120)
    payee_bank_name = forms.CharField(label=_("Payee's bank"), required=False, max_length=120)
    payee_bank_account = forms.CharField(
        label=_("Payee's bank account"),
        required=False,
        max_length=40,
        help_text=_("Leave empty to keep the account on file."),
    )
    stops = forms.IntegerField(
        label=_("Stops"),
        required=False,
        min_value=1,
        max_value=200,
        help_text=_("The landings the elevator serves (for a policy that pays per stop)."),
    )
    estimated_cost = forms.DecimalField(label=_("Estimated cost (yuan)"), required=False, min_value=0, **MONEY)
    audited_cost = forms.DecimalField(label=_("Audited cost (yuan)"), required=False, min_value=0, **MONEY)

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        owner_ids = Ownership.objects.filter(dwelling__stairwell_id=application.project.stairwell_id).values("owner_id")
        self.fields["applicant_owner"].queryset = Owner.objects.filter(pk__in=owner_ids).order_by("name")
        self.extras = list(application.policy.extras.all()) if application.policy else []
        claimed = {e.extra_id: e.amount for e in application.extras.all()}
        for extra in self.extras:
            self.fields[f"extra_{extra.pk}"] = forms.DecimalField(
                label=_("Extra: %(name)s (yuan)") % {"name": extra.name},
                required=False,
                min_value=0,
                initial=claimed.get(extra.pk),
                **MONEY,
            )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        extras = {extra.pk: data.pop(f"extra_{extra.pk}") or 0 for extra in self.extras}
        if not data.get("payee_bank_account"):
            data.pop("payee_bank_account", None)  # masked on screen: empty keeps what is on file
        if data.get("stops") is None:
            data.pop("stops", None)  # empty keeps the number on file
        if self.extras:
            data["extras"] = extras
        return data


class DocumentForm(Form):
    kind = forms.ChoiceField(label=_("Requirement"), choices=SubsidyDocumentKind.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPG or PNG"))


class NoteForm(Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class ReviewForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.FORWARD.value, _("Pass on to the next step")),
            (Decision.RETURN.value, _("Return for correction")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(Form):
    amount = forms.DecimalField(label=_("Approved amount (yuan)"), min_value=0, **MONEY)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(Form):
    comment = forms.CharField(label=_("What must be corrected"), widget=forms.Textarea(attrs={"rows": 2}))


class NotEligibleForm(Form):
    reason = forms.CharField(label=_("Why not eligible"), max_length=255)


class PaymentForm(IdempotentForm):
    amount = forms.DecimalField(label=_("Amount paid (yuan)"), min_value=0, **MONEY)
    voucher_no = forms.CharField(label=_("Voucher number"), max_length=40)
    batch = forms.ModelChoiceField(label=_("Batch"), queryset=None, required=False)
    paid_on = forms.DateField(
        label=_("Payment date"),
        widget=DateInput,
        required=False,
        help_text=_("Leave empty when the payment is in a batch: the batch's date counts."),
    )

    def __init__(self, *args, batches=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["batch"].queryset = batches if batches is not None else PaymentBatch.objects.none()


class ReversalForm(IdempotentForm):
    voucher_no = forms.CharField(label=_("Reversal voucher number"), max_length=40)
    reversed_on = forms.DateField(label=_("Date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("reversed_on", timezone.localdate())


class BatchForm(Form):
    number = forms.CharField(label=_("Batch number"), max_length=40)
    paid_on = forms.DateField(label=_("Payment date"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class BudgetForm(Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    source = forms.ChoiceField(label=_("Funding source"), choices=Source.choices)
    amount = forms.DecimalField(label=_("Budget (yuan)"), min_value=0, **MONEY)


class PolicyForm(Form):
    region = forms.ModelChoiceField(label=_("Scope"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=120)
    source = forms.ChoiceField(label=_("Funding source"), choices=Source.choices)
    effective_from = forms.DateField(label=_("In force from"), widget=DateInput)
    effective_to = forms.DateField(label=_("In force until"), widget=DateInput, required=False)
    fixed_amount = forms.DecimalField(label=_("Fixed amount per elevator (yuan)"), required=False, **MONEY)
    per_storey_amount = forms.DecimalField(label=_("Amount per storey (yuan)"), required=False, **MONEY)
    storeys_above = forms.IntegerField(label=_("Per-storey amount for storeys above"), initial=0, min_value=0)
    per_stop_amount = forms.DecimalField(
        label=_("Amount per stop (yuan)"),
        required=False,
        help_text=_("Per landing the elevator serves."),
        **MONEY,
    )
    stops_above = forms.IntegerField(label=_("Per-stop amount for stops above"), initial=0, min_value=0, required=False)
    cost_share_percent = forms.DecimalField(
        label=_("Share of the cost (%)"), required=False, max_digits=5, decimal_places=2
    )
    cap = forms.DecimalField(label=_("Cap (yuan)"), required=False, **MONEY)
    min_storeys = forms.IntegerField(label=_("Minimum storeys of the building"), initial=4, min_value=0)
    application_deadline_days = forms.IntegerField(
        label=_("Apply within (days after becoming eligible)"), required=False, min_value=1
    )
    required_documents = forms.MultipleChoiceField(
        label=_("Required documents"),
        choices=[c for c in SubsidyDocumentKind.choices if c[0] != SubsidyDocumentKind.OTHER],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick none if the policy requires no documents."),
    )
    extra_name = forms.CharField(label=_("Extra (e.g. pipe relocation)"), required=False, max_length=80)
    extra_max = forms.DecimalField(label=_("Extra: at most (yuan)"), required=False, **MONEY)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        if not self.is_bound:
            self.initial.setdefault("required_documents", DEFAULT_REQUIRED_DOCUMENTS)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        name, maximum = data.pop("extra_name"), data.pop("extra_max")
        data["extras"] = [(name, maximum)] if name else []
        for key in ("fixed_amount", "per_storey_amount", "per_stop_amount", "cost_share_percent"):
            data[key] = data[key] or 0
        data["stops_above"] = data.get("stops_above") or 0
        return data


class PortalPayeeForm(Form):
    """What the lead owner fills in himself on the portal: where the subsidy is paid to."""

    payee_name = forms.CharField(label=_("Payee"), max_length=120)
    payee_bank_name = forms.CharField(label=_("Payee's bank"), max_length=120)
    payee_bank_account = forms.CharField(
        label=_("Payee's bank account"),
        required=False,
        max_length=40,
        help_text=_("Leave empty to keep the account on file."),
    )
    applicant_phone = forms.CharField(label=_("My phone"), required=False, max_length=20)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("payee_bank_account"):
            data.pop("payee_bank_account", None)  # shown masked: empty keeps what is on file
        return data


class PortalDocumentForm(Form):
    kind = forms.ChoiceField(label=_("Which document"))
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPG or PNG"))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(SubsidyDocumentKind.choices)
        self.fields["kind"].choices = [(k, labels[k]) for k in kinds]


class PolicyCloseForm(Form):
    effective_to = forms.DateField(label=_("In force until"), widget=DateInput)
