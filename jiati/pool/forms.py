"""Forms of the pool's pages. They only collect input; the services decide (and their refusals land on the fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiati.core.forms import Form
from jiati.core.widgets import DateInput
from jiati.pool.models import (
    AllocationRule,
    AnswerChoice,
    Channel,
    EvidenceKind,
    Feasibility,
    MobilityKind,
    Obstacle,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); the service checks each one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class AssessmentForm(Form):
    result = forms.ChoiceField(label=_("Result"), choices=Feasibility.choices, widget=forms.RadioSelect)
    obstacles = forms.MultipleChoiceField(
        label=_("Reasons"), choices=Obstacle.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    conditions = forms.CharField(label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    site_photos = MultipleFileField(
        label=_("Site photos"), required=False, widget=MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png"})
    )
    appraisal = forms.FileField(
        label=_("Structural safety appraisal"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
    )

    def evidence(self, files) -> list:
        from jiati.pool.services import EvidenceUpload

        items = [EvidenceUpload(EvidenceKind.SITE_PHOTO, f) for f in files.getlist("site_photos")]
        items += [EvidenceUpload(EvidenceKind.STRUCTURAL_APPRAISAL, f) for f in files.getlist("appraisal")]
        return items


class AnswerForm(Form):
    dwelling = forms.TypedChoiceField(label=_("Dwelling"), coerce=int)
    answer = forms.ChoiceField(label=_("Answer"), choices=AnswerChoice.choices, widget=forms.RadioSelect)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[c for c in Channel.choices if c[0] != Channel.PORTAL], initial=Channel.DOOR_TO_DOOR
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, dwellings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dwelling"].choices = [("", "—")] + [(d.pk, f"{d.floor}F {d.room}") for d in dwellings]


class PortalAnswerForm(Form):
    answer = forms.ChoiceField(label=_("Your answer"), choices=AnswerChoice.choices, widget=forms.RadioSelect)


class ImportForm(Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))


class MobilityForm(Form):
    dwelling = forms.TypedChoiceField(label=_("Dwelling"), coerce=int)
    kind = forms.ChoiceField(label=_("Need"), choices=MobilityKind.choices)

    def __init__(self, *args, dwellings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dwelling"].choices = [("", "—")] + [(d.pk, f"{d.floor}F {d.room}") for d in dwellings]


class TargetForm(Form):
    region = forms.TypedChoiceField(label=_("Subdistrict or community"), coerce=int)
    year = forms.IntegerField(label=_("Year"))
    # Not limited here: the service refuses a negative target with its own message.
    projects_started = forms.IntegerField(label=_("Projects started"))
    elevators_in_service = forms.IntegerField(label=_("Elevators in service"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—")] + [
            (r.pk, ("· " if r.level == "community" else "") + r.name) for r in regions
        ]


class SettingsForm(Form):
    min_storeys = forms.IntegerField(label=_("Minimum storeys for the pool"))
    willing_numerator = forms.IntegerField(label=_("Willing share: numerator"))
    willing_denominator = forms.IntegerField(label=_("Willing share: denominator"))
    weight_elderly = forms.IntegerField(label=_("Weight: owners aged 70 or more"))
    weight_mobility = forms.IntegerField(label=_("Weight: recorded mobility needs"))
    weight_floors = forms.IntegerField(label=_("Weight: floors"))
    weight_feasibility = forms.IntegerField(label=_("Weight: feasibility"))
    weight_willingness = forms.IntegerField(label=_("Weight: willingness"))
    weight_cluster = forms.IntegerField(label=_("Weight: cluster potential"))
    typical_cost_base = forms.IntegerField(
        label=_("Typical elevator cost: base (yuan)"),
        required=False,
        help_text=_("The residents' cost estimate uses base + per storey × storeys where no price is known."),
    )
    typical_cost_per_storey = forms.IntegerField(label=_("Typical elevator cost: per storey (yuan)"), required=False)


class ClusterWorkForm(Form):
    description = forms.CharField(label=_("Works"), max_length=200)
    cost = forms.CharField(label=_("Cost (yuan)"), max_length=20)
    rule = forms.ChoiceField(label=_("Allocation rule"), choices=AllocationRule.choices)


class ClusterMemberForm(Form):
    project = forms.TypedChoiceField(label=_("Project"), coerce=int)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", "—")] + [
            (p.pk, f"{p.code} · {p.stairwell.building.number} {p.stairwell.number} · {p.get_stage_display()}")
            for p in projects
        ]


class ClusterForm(Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    design = forms.CharField(label=_("Shared design"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    projects = forms.TypedMultipleChoiceField(
        label=_("Projects"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [
            (p.pk, f"{p.code} · {p.stairwell.building.number} {p.stairwell.number} · {p.get_stage_display()}")
            for p in projects
        ]
