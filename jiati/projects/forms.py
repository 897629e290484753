"""Input shapes for project actions; the rules are in the services."""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _

from jiati.accounts.selectors import staff_visible_to
from jiati.companies.models import Company
from jiati.core.forms import Form
from jiati.core.widgets import DateInput
from jiati.housing.models import Owner
from jiati.projects.models import DocumentKind, ReviewResult, Stage
from jiati.projects.selectors import blocker_assignees, stairwell_owners


class OpenProjectForm(Form):
    target_date = forms.DateField(label=_("Target: in service by"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class CommentForm(Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class AdvanceForm(Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    expected_stage = forms.ChoiceField(choices=Stage.choices, required=False, widget=forms.HiddenInput)


def _stairwell_owners(project):

    return stairwell_owners(project)


def _choices_from(field, rows) -> None:
    """Offer `rows` (already read, shared by two forms of one page) instead of reading the field's queryset again
    when it is rendered; the queryset still checks what is posted. The same choices ModelChoiceIterator makes."""
    if rows is None:
        return
    choices = [
        (ModelChoiceIteratorValue(field.prepare_value(row), row), field.label_from_instance(row)) for row in rows
    ]
    if field.empty_label is not None:
        choices.insert(0, ("", field.empty_label))
    field.widget.choices = choices


class LeadOwnerForm(Form):
    lead_owner = forms.ModelChoiceField(label=_("Lead owner"), queryset=Owner.objects.none(), required=False)

    def __init__(self, *args, project, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_owner"].queryset = _stairwell_owners(project)
        _choices_from(self.fields["lead_owner"], owners)


class WorkingGroupForm(Form):
    owners = forms.ModelMultipleChoiceField(
        label=_("Working group"), queryset=Owner.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, project, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].queryset = _stairwell_owners(project)
        _choices_from(self.fields["owners"], owners)


class ServiceTeamForm(Form):
    users = forms.ModelMultipleChoiceField(label=_("Service team"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = staff_visible_to(user=user)
        _choices_from(self.fields["users"], staff)


class ChecklistForm(Form):
    chat_group_name = forms.CharField(label=_("Chat work group"), required=False, max_length=120)
    chat_group_link = forms.URLField(label=_("Chat group link"), required=False, assume_scheme="https")
    chat_group_qr = forms.ImageField(label=_("Chat group QR code"), required=False)
    brand = forms.ModelChoiceField(
        label=_("Elevator brand"), queryset=Company.objects.filter(is_manufacturer=True), required=False
    )
    contractor = forms.ModelChoiceField(
        label=_("Construction team"), queryset=Company.objects.filter(is_contractor=True), required=False
    )
    maintainer = forms.ModelChoiceField(
        label=_("Maintainer"), queryset=Company.objects.filter(is_maintainer=True), required=False
    )
    estimated_cost = forms.DecimalField(
        label=_("Estimated cost (yuan)"), required=False, max_digits=12, decimal_places=2
    )


class ContractReviewForm(Form):
    reviewed_on = forms.DateField(label=_("Review date"), widget=DateInput)
    result = forms.ChoiceField(label=_("Result"), choices=ReviewResult.choices)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    contract_amount = forms.DecimalField(
        label=_("Contract amount (yuan)"), required=False, max_digits=12, decimal_places=2
    )


class DocumentForm(Form):
    kind = forms.ChoiceField(label=_("Requirement"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File (PDF, JPG, PNG, DOCX, XLSX)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, v) for k, v in DocumentKind.choices if k in kinds]


class BlockerForm(Form):
    description = forms.CharField(label=_("What"), max_length=255)
    party = forms.CharField(label=_("Whose"), max_length=120)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    assignee = forms.ModelChoiceField(label=_("Follow-up by"), queryset=None, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["assignee"].queryset = blocker_assignees(project)


class ResolveForm(Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(Form):
    target_date = forms.DateField(label=_("Target: in service by"), widget=DateInput)
    reason = forms.CharField(label=_("Reason for (re)planning"), required=False, max_length=255)


class AssignForm(Form):
    responsible = forms.ModelChoiceField(label=_("Responsible person"), queryset=None, required=False)

    def __init__(self, *args, user, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = staff_visible_to(user=user)
        _choices_from(self.fields["responsible"], staff)


class ClusterForm(Form):
    name = forms.CharField(label=_("Cluster name"), max_length=120)
    design = forms.CharField(label=_("Shared design"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    projects = forms.ModelMultipleChoiceField(label=_("Projects"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = projects


class StageDurationForm(Form):
    """One field per stage: its planned working days."""

    def __init__(self, *args, durations: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for stage in Stage:
            if stage == Stage.IN_SERVICE:
                continue
            self.fields[stage.value] = forms.IntegerField(
                label=stage.label, min_value=0, max_value=500, initial=durations.get(stage.value)
            )


class CalendarDayForm(Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    is_working_day = forms.TypedChoiceField(
        label=_("Working day"),
        coerce=lambda v: v == "1",
        choices=[("0", _("Holiday (no work)")), ("1", _("Adjusted working day"))],
    )
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
