from django import forms
from django.utils.translation import gettext_lazy as _

from jiati.accounts.selectors import staff_visible_to
from jiati.core.forms import Form
from jiati.organisation.models import GroupLevel, MemberRole, PropertyOffice, Region, RegionLevel
from jiati.organisation.services import GROUP_REGION_LEVEL, group_levels_for


class MembershipForm(Form):
    user = forms.ModelChoiceField(label=_("Staff member"), queryset=None)
    role = forms.ChoiceField(label=_("Role in group"), choices=MemberRole.choices)
    duties = forms.CharField(label=_("Duties"), max_length=255, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["user"].queryset = staff_visible_to(user=actor)


class GroupRobotForm(Form):
    """The group's WeCom robot. The stored address is never put back in the page: a blank field keeps it."""

    wecom_webhook_url = forms.URLField(
        label=_("WeCom group robot address"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("Members' notices are posted to this group chat. Leave blank to keep the current address."),
    )
    clear = forms.BooleanField(label=_("Remove the robot"), required=False)


class ServiceGroupForm(Form):
    """A service group's name, tier and area; the choices are those of the user's reach (`group_levels_for`)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    level = forms.ChoiceField(label=_("Tier"))
    region = forms.ModelChoiceField(label=_("Area it answers for"), queryset=None)
    property_office = forms.ModelChoiceField(
        label=_("Property office"),
        queryset=None,
        required=False,
        help_text=_("Only for a property service group."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(level, GroupLevel(level).label) for level in group_levels_for(actor)]
        self.fields["region"].queryset = (
            Region.objects.visible_to(actor)
            .filter(is_retired=False, level__in=set(GROUP_REGION_LEVEL.values()))
            .order_by("path")
        )
        self.fields["region"].label_from_instance = lambda r: f"{r.name} ({r.get_level_display()})"
        self.fields["property_office"].queryset = PropertyOffice.objects.visible_to(actor).order_by("name")


class WorkstationForm(Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class PropertyOfficeForm(Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    company_name = forms.CharField(label=_("Property company"), max_length=120, required=False)
    community = forms.ModelChoiceField(label=_("Community"), queryset=None)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    with_window = forms.BooleanField(
        label=_("Open a service window there"),
        required=False,
        help_text=_("Residents can then book a consultation at this office."),
    )

    def __init__(self, *args, actor, office=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = (
            Region.objects.visible_to(actor).filter(level=RegionLevel.COMMUNITY, is_retired=False).order_by("path")
        )
        if office is not None:  # the code names the office in imports: it stays
            self.fields["code"].disabled = True
            if office.windows.exists():
                del self.fields["with_window"]
