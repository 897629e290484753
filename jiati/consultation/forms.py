"""Input shapes for the consultation pages; the rules are in the services."""

from __future__ import annotations

import datetime as dt
import re
from uuid import uuid4

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from jiati.accounts.scoping import area_q
from jiati.accounts.selectors import staff_visible_to
from jiati.companies.models import Company
from jiati.consultation.models import (
    Article,
    ArticleKind,
    Channel,
    MeetingLevel,
    PetitionChannel,
    ReplyMethod,
    Satisfaction,
    Topic,
    VisitorKind,
)
from jiati.consultation.selectors import meeting_participant_users
from jiati.core.forms import Form, PhoneField
from jiati.core.widgets import DateInput, DateTimeInput
from jiati.housing.models import Estate, Ownership, Stairwell
from jiati.organisation.models import PropertyOffice, Region, ServiceWindow, Workstation
from jiati.projects.models import Project, Status

CHOICE_LIMIT = 1000


def _staff(user):

    return staff_visible_to(user=user)


class IdempotentForm(Form):
    """A form whose submission carries a one-time key: a double click is recognised as the same submission."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid4().hex)


# --- windows ----------------------------------------------------------------------


class WindowCreateForm(Form):
    workstation = forms.ModelChoiceField(label=_("Community workstation"), queryset=None, required=False)
    property_office = forms.ModelChoiceField(label=_("or property office"), queryset=None, required=False)
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=255, required=False)
    phone = PhoneField(label=_("Phone"), required=False)
    staff_on_duty = forms.ModelMultipleChoiceField(label=_("Staff on duty"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["workstation"].queryset = Workstation.objects.filter(
            area_q(user, region_path="community__path", property_office=None)
        ).order_by("name")
        self.fields["property_office"].queryset = PropertyOffice.objects.visible_to(user).order_by("name")
        self.fields["staff_on_duty"].queryset = _staff(user)


class WindowEditForm(Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=255, required=False)
    phone = PhoneField(label=_("Phone"), required=False)
    staff_on_duty = forms.ModelMultipleChoiceField(label=_("Staff on duty"), queryset=None, required=False)
    is_active = forms.BooleanField(label=pgettext_lazy("window", "Open"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_on_duty"].queryset = _staff(user)


WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]
TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})$")


class SlotsOpenForm(Form):
    first_day = forms.DateField(label=_("From"), widget=DateInput)
    last_day = forms.DateField(label=_("To"), widget=DateInput)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAYS,
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-inline"}),
    )
    times = forms.CharField(
        label=_("Times"),
        initial="09:00-09:30, 09:30-10:00, 10:00-10:30, 14:30-15:00, 15:00-15:30",
        help_text=_("Start-end, separated by commas, e.g. 09:00-09:30, 14:30-15:00."),
    )
    capacity = forms.IntegerField(label=_("Places per slot"), min_value=1, max_value=50, initial=3)
    skip_holidays = forms.BooleanField(label=_("Skip public holidays"), required=False, initial=True)

    def clean_times(self):
        ranges = []
        for part in re.split(r"[,，;；\s]+(?=\d)", self.cleaned_data["times"].strip()):
            match = TIME_RANGE.match(part.strip().rstrip(",，"))
            if not match:
                raise forms.ValidationError(
                    _("“%(part)s” is not a time range like 09:00-09:30."), params={"part": part}
                )
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            try:
                ranges.append((dt.time(h1, m1), dt.time(h2, m2)))
            except ValueError as exc:
                raise forms.ValidationError(
                    _("“%(part)s” is not a time range like 09:00-09:30."), params={"part": part}
                ) from exc
        return ranges


class CapacityForm(Form):
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=50)


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class BookingForm(Form):
    """A booking: by a resident on the portal, or by window staff for a caller."""

    name = forms.CharField(label=_("Your name"), max_length=120)
    phone = PhoneField(label=_("Mobile number"))
    topic = forms.ChoiceField(label=_("What is it about?"), choices=Topic.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("What you would like to ask (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WindowBookingForm(BookingForm):
    """Window staff book a caller: one form on the window's page, the slot chosen in it (a form under every slot
    made the page hundreds of kilobytes). The choices are the slots the page offers, grouped by day, plus the
    one just chosen when a booking was refused, so that it comes back chosen with the reason on it."""

    slot = forms.TypedChoiceField(label=_("Time"), coerce=int, choices=())
    field_order = ["slot", "name", "phone", "topic", "note"]

    def __init__(self, *args, slots=(), **kwargs):
        kwargs.setdefault("auto_id", "id_book_%s")
        super().__init__(*args, **kwargs)
        self.fields["name"].label = pgettext_lazy("person", "Name")
        self.fields["note"].label = _("Question (optional)")
        self.offer(slots)

    def offer(self, slots) -> None:
        self.slots = {slot.pk: slot for slot in slots}
        days: dict[str, list] = {}
        for slot in self.slots.values():
            start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
            places = gettext("%(booked)s of %(capacity)s booked") % {"booked": slot.booked, "capacity": slot.capacity}
            days.setdefault(date_format(start, "Y-m-d l"), []).append(
                (slot.pk, f"{start:%H:%M}–{end:%H:%M} · {places}")
            )
        self.fields["slot"].choices = [("", _("Choose a time")), *days.items()]

    def chosen_slot(self):
        return self.slots[self.cleaned_data["slot"]]


# --- consultation records -----------------------------------------------------------


class ConsultationForm(Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices, widget=forms.RadioSelect)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect, initial=Channel.WALK_IN
    )
    answer = forms.CharField(label=_("Answer given"), widget=forms.Textarea(attrs={"rows": 3}))
    window = forms.ModelChoiceField(label=_("Window"), queryset=None, required=False)
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=None, required=False)
    stairwell = forms.ModelChoiceField(label=_("Stairwell"), queryset=Stairwell.objects.none(), required=False)
    visitor_kind = forms.ChoiceField(
        label=_("Who asked"), choices=VisitorKind.choices, widget=forms.RadioSelect, initial=VisitorKind.OWNER
    )
    visitor_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=120, required=False)
    visitor_phone = PhoneField(label=_("Phone"), required=False)
    question = forms.CharField(label=_("Question"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up_needed = forms.BooleanField(label=_("Follow-up needed"), required=False)
    follow_up_by = forms.ModelChoiceField(label=_("Follow-up by"), queryset=None, required=False)
    follow_up_due = forms.DateField(label=_("Follow-up due"), required=False, widget=DateInput)
    booking = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, window=None, estate_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = ServiceWindow.objects.visible_to(user).filter(is_active=True)
        estates = Estate.objects.visible_to(user).order_by("name")
        if window is not None:
            estates = estates.filter(community_id=window.community_id)
        self.fields["estate"].queryset = estates
        self.fields["estate"].choices = [("", "—")] + [
            (e.pk, e.name) for e in estates.only("id", "name")[:CHOICE_LIMIT]
        ]
        if estate_id:
            self.fields["stairwell"].queryset = Stairwell.objects.visible_to(user).filter(estate_id=estate_id)
        self.fields["follow_up_by"].queryset = _staff(user)


class ResultForm(Form):
    result = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))


# --- meetings ---------------------------------------------------------------------


class MeetingForm(Form):
    level = forms.ChoiceField(label=_("Level"), choices=MeetingLevel.choices)
    region = forms.ModelChoiceField(
        label=_("Hosted by"),
        queryset=None,
        required=False,
        help_text=_("District, subdistrict or community, matching the level."),
    )
    estate = forms.ModelChoiceField(label=_("Estate (estate level)"), queryset=None, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput)
    location = forms.CharField(label=_("Place"), max_length=255)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    projects = forms.ModelMultipleChoiceField(label=_("Projects served"), queryset=None, required=False)
    party_branch = forms.CharField(label=_("Estate party branch"), max_length=120, required=False)
    company = forms.ModelChoiceField(
        label=_("Elevator company"), queryset=Company.objects.order_by("name"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["region"].queryset = (
            Region.objects.visible_to(user).filter(level__in=["district", "subdistrict", "community"]).order_by("path")
        )
        estates = Estate.objects.visible_to(user).order_by("name")
        self.fields["estate"].queryset = estates
        self.fields["estate"].choices = [("", "—")] + [
            (e.pk, e.name) for e in estates.only("id", "name")[:CHOICE_LIMIT]
        ]
        projects = (
            Project.objects.visible_to(user)
            .exclude(status=Status.WITHDRAWN)
            .select_related("estate", "stairwell__building")
            .order_by("estate__name", "code")
        )
        self.fields["projects"].queryset = projects
        self.fields["projects"].choices = [
            (p.pk, f"{p.code} {p.estate.name} {p.stairwell.building.number}{p.stairwell.number}")
            for p in projects[:CHOICE_LIMIT]
        ]


class MeetingEditForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput)
    location = forms.CharField(label=_("Place"), max_length=255)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    party_branch = forms.CharField(label=_("Estate party branch"), max_length=120, required=False)
    company = forms.ModelChoiceField(
        label=_("Elevator company"), queryset=Company.objects.order_by("name"), required=False
    )


class LinkProjectsForm(Form):
    projects = forms.ModelMultipleChoiceField(label=_("Projects served"), queryset=None)

    def __init__(self, *args, user, meeting, **kwargs):
        super().__init__(*args, **kwargs)

        projects = (
            Project.objects.visible_to(user)
            .exclude(status=Status.WITHDRAWN)
            .filter(community__path__startswith=meeting.region.path)
            .exclude(meeting_links__meeting=meeting)
            .select_related("estate", "stairwell__building")
            .order_by("estate__name", "code")
        )
        if meeting.estate_id:
            projects = projects.filter(estate_id=meeting.estate_id)
        self.fields["projects"].queryset = projects
        self.fields["projects"].choices = [
            (p.pk, f"{p.code} {p.estate.name} {p.stairwell.building.number}{p.stairwell.number}")
            for p in projects[:CHOICE_LIMIT]
        ]


class InviteForm(Form):
    users = forms.ModelMultipleChoiceField(label=_("Staff and company staff"), queryset=None, required=False)
    owners_of_projects = forms.BooleanField(
        label=_("The owners of the stairwells this meeting serves"), required=False, initial=True
    )
    companies = forms.ModelMultipleChoiceField(
        label=_("Companies"), queryset=Company.objects.order_by("name"), required=False
    )
    others = forms.CharField(
        label=_("Others"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: name, unit or role (e.g. the party branch secretary)."),
    )

    def __init__(self, *args, user, meeting, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["users"].queryset = meeting_participant_users(actor=user, meeting=meeting)

    def clean_others(self):
        rows = []
        for line in self.cleaned_data["others"].splitlines():
            name, _sep, affiliation = line.replace("，", ",").partition(",")
            if name.strip():
                rows.append((name.strip(), affiliation.strip()))
        return rows


class AttendanceForm(Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Came"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, invitees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (i.pk, f"{getattr(i, 'shown_name', i.name)} {i.shown_affiliation}".strip()) for i in invitees
        ]
        if not self.is_bound:
            self.initial["present"] = [i.pk for i in invitees if i.attended]


class MinutesForm(Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}))


class SignInSheetForm(Form):
    sign_in_sheet = forms.FileField(label=_("Signed sign-in sheet (PDF, JPG, PNG)"))


class ActionForm(Form):
    description = forms.CharField(label=pgettext_lazy("meeting", "Resolution"), max_length=500)
    owner = forms.ModelChoiceField(  # required, and marked so: the service needs one
        label=pgettext_lazy("resolution", "Owner"),
        queryset=None,
        error_messages={"required": _("Name who will carry out the resolution.")},
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput, required=False)
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False)

    def __init__(self, *args, user, meeting, **kwargs):
        super().__init__(*args, **kwargs)

        # Staff of the area and of the units above the meeting, and the staff of the companies on it — not
        # every company account in the country.
        self.fields["owner"].queryset = meeting_participant_users(actor=user, meeting=meeting)
        self.fields["project"].queryset = meeting.projects.all()


class NoteForm(Form):
    note = forms.CharField(label=_("How it was done"), widget=forms.Textarea(attrs={"rows": 2}))


# --- petitions --------------------------------------------------------------------


class PetitionForm(IdempotentForm):
    channel = forms.ChoiceField(
        label=_("Received through"),
        choices=[c for c in PetitionChannel.choices if c[0] != PetitionChannel.PORTAL],
        initial=PetitionChannel.WINDOW,
    )
    received_on = forms.DateField(label=pgettext_lazy("petition", "Received"), widget=DateInput, required=False)
    petitioner_name = forms.CharField(label=_("Petitioner"), max_length=120)
    petitioner_phone = PhoneField(label=_("Phone"), required=False)
    petitioner_address = forms.CharField(label=_("Postal address"), max_length=255, required=False)
    reply_method = forms.ChoiceField(
        label=_("Reply"),
        choices=[c for c in ReplyMethod.choices if c[0] != ReplyMethod.PORTAL],
        initial=ReplyMethod.PHONE,
    )
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=None)
    stairwell = forms.ModelChoiceField(label=_("Stairwell"), queryset=Stairwell.objects.none(), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    content = forms.CharField(label=_("What the petitioner asks"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, user, estate_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        estates = Estate.objects.visible_to(user).order_by("name")
        self.fields["estate"].queryset = estates
        self.fields["estate"].choices = [("", "—")] + [
            (e.pk, e.name) for e in estates.only("id", "name")[:CHOICE_LIMIT]
        ]
        if estate_id:
            self.fields["stairwell"].queryset = Stairwell.objects.visible_to(user).filter(estate_id=estate_id)


class PortalPetitionForm(IdempotentForm):
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=None)
    stairwell = forms.ModelChoiceField(label=_("Stairwell"), queryset=None, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    content = forms.CharField(label=_("What you ask"), widget=forms.Textarea(attrs={"rows": 5}))
    reply_method = forms.ChoiceField(
        label=_("How should we reply?"),
        choices=ReplyMethod.choices,
        initial=ReplyMethod.PORTAL,
        widget=forms.RadioSelect,
    )
    petitioner_phone = PhoneField(label=_("Mobile number"), required=False)
    petitioner_address = forms.CharField(label=_("Postal address (for a letter)"), max_length=255, required=False)

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)

        owned = Ownership.objects.filter(owner=owner)
        self.fields["estate"].queryset = Estate.objects.filter(pk__in=owned.values("dwelling__estate_id"))
        self.fields["stairwell"].queryset = Stairwell.objects.filter(
            pk__in=owned.values("dwelling__stairwell_id")
        ).select_related("building")
        self.fields["stairwell"].label_from_instance = lambda s: f"{s.building.number} {s.number}"
        if not self.is_bound:
            self.initial.setdefault("petitioner_phone", owner.phone)
            estates = list(self.fields["estate"].queryset[:2])
            if len(estates) == 1:
                self.initial.setdefault("estate", estates[0].pk)


class TextForm(Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(Form):
    text = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(Form):
    reply = forms.CharField(label=_("Reply to the petitioner"), widget=forms.Textarea(attrs={"rows": 5}))


class ExtendForm(Form):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=365)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CloseForm(Form):
    satisfaction = forms.ChoiceField(
        label=_("Petitioner's satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ReassignForm(Form):
    handler = forms.ModelChoiceField(label=_("New handler"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = _staff(user)


class PetitionSettingsForm(Form):
    accept_days = forms.IntegerField(label=_("Days to decide on acceptance"), min_value=1, max_value=365)
    resolve_days = forms.IntegerField(label=_("Days to resolve after acceptance"), min_value=1, max_value=365)
    max_extension_days = forms.IntegerField(label=_("Longest extension (days)"), min_value=0, max_value=365)
    working_days = forms.BooleanField(label=_("Count working days instead of calendar days"), required=False)
    escalate_after_days = forms.IntegerField(
        label=_("Days an escalated petition has before it escalates again"), min_value=1, max_value=365
    )
    remind_days_before = forms.IntegerField(
        label=_("Remind the handler this many days before"), min_value=0, max_value=365
    )
    escalation_resolve_days = forms.IntegerField(
        label=_("Days the next level has to resolve an escalated petition"),
        min_value=1,
        max_value=365,
        help_text=_(
            "Counted from the day of the escalation; a current deadline that is later is kept. A petition whose "
            "acceptance is still to be decided gets the days to decide on acceptance instead."
        ),
    )


# --- publicity --------------------------------------------------------------------


class ArticleForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain text; an empty line starts a new paragraph."),
    )
    pinned = forms.BooleanField(label=_("Pinned to the top"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE)
    translation_of = forms.TypedChoiceField(
        label=_("Translation of"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For a version in another language: the Chinese article it translates."),
    )

    def __init__(self, *args, user, exclude_pk=None, **kwargs):
        super().__init__(*args, **kwargs)
        originals = (
            Article.objects.filter(area_q(user, region_path="region__path", property_office=None))
            .filter(language=settings.LANGUAGE_CODE, translation_of__isnull=True)
            .exclude(pk=exclude_pk)
            .order_by("-id")
            .values_list("pk", "title")[:200]
        )
        self.fields["translation_of"].choices = [("", _("— none: an original —")), *originals]

    def clean_translation_of(self):
        pk = self.cleaned_data.get("translation_of")
        return Article.objects.filter(pk=pk).first() if pk else None
