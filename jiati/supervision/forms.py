"""Forms of the supervision pages; every rule is the services' (the forms only parse)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiati.accounts.models import STAFF_ROLES, User
from jiati.core.forms import Form
from jiati.core.widgets import DateInput, MonthInput
from jiati.supervision.models import ItemResult

ISO = "%Y-%m-%d"


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (the phone's camera or gallery); checked by the services."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [d for d in data if d]
        return [data] if data else []


class SiteCheckForm(Form):
    """The checklist of the project's construction step: one choice and a note per point."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(
        label=_("Findings to be fixed by"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: in the usual number of days."),
    )
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.code}"] = forms.ChoiceField(
                label=item.label,
                choices=ItemResult.choices,
                widget=forms.RadioSelect,
                help_text=item.hint,
                required=False,
            )
            self.fields[f"note_{item.code}"] = forms.CharField(
                label=_("What was found"), required=False, max_length=500
            )

    def results(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            item.code: (data.get(f"item_{item.code}") or "", data.get(f"note_{item.code}") or "") for item in self.items
        }

    def rows(self):
        """(item, choice field, note field) for the template."""
        return [(item, self[f"item_{item.code}"], self[f"note_{item.code}"]) for item in self.items]


class AnswerForm(Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photos = PhotosField(label=_("Photos of the fixed site"))


class RecheckForm(Form):
    fixed = forms.TypedChoiceField(
        label=_("Result of the re-check"),
        choices=[("yes", _("Fixed: close it")), ("no", _("Not fixed: give a new due date"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("What the re-check found"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    due_date = forms.DateField(label=_("New due date"), required=False, widget=DateInput())
    photos = PhotosField(label=_("Photos"))


class ReviewGenerateForm(Form):
    region = forms.ModelChoiceField(label=_("Subdistrict"), queryset=None)
    week_start = forms.DateField(label=_("Week of"), widget=DateInput(), required=False)
    stalled_days = forms.IntegerField(label=_("No progress for (days)"), initial=14, min_value=1, max_value=365)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["week_start"].initial = timezone.localdate()


def staff_in(region):
    """Active staff who can see a region: those of the region and the regions above it."""
    codes = region.path.strip("/").split("/")
    chain = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    from django.db.models import Q

    return User.objects.filter(
        Q(region__path__startswith=region.path) | Q(region__path__in=chain),
        role__in=list(STAFF_ROLES),
        is_active=True,
    ).order_by("full_name", "username")


class DecisionForm(Form):
    # What, who and by when are required, and marked so: the service refuses a decision without them.
    description = forms.CharField(
        label=_("Decision"), max_length=500, error_messages={"required": _("Say what was decided.")}
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, error_messages={"required": _("Name who will carry out the decision.")}
    )
    due_date = forms.DateField(
        label=_("Due date"), widget=DateInput(), error_messages={"required": _("Give the due date.")}
    )
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False)

    def __init__(self, *args, review, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_in(review.region)
        self.fields["project"].queryset = projects


class DoneForm(Form):
    note = forms.CharField(label=_("How it was done"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DispatchGenerateForm(Form):
    region = forms.ModelChoiceField(label=_("District"), queryset=None)
    month = forms.DateField(label=_("Month"), widget=MonthInput(), input_formats=["%Y-%m", ISO])

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        today = timezone.localdate()
        self.fields["month"].initial = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


class InstructionForm(Form):
    # Required, and marked so: the service refuses an instruction without them.
    subdistrict = forms.ModelChoiceField(
        label=_("Subdistrict"),
        queryset=None,
        error_messages={"required": _("Choose one of the district's subdistricts.")},
    )
    text = forms.CharField(
        label=_("Instruction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the instruction.")},
    )
    due_date = forms.DateField(
        label=_("Due date"), widget=DateInput(), error_messages={"required": _("Give the due date.")}
    )

    def __init__(self, *args, dispatch, **kwargs):
        super().__init__(*args, **kwargs)
        from jiati.organisation.models import Region

        self.fields["subdistrict"].queryset = Region.objects.filter(parent=dispatch.region, level="subdistrict")
