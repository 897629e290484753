from django import forms
from django.utils.translation import gettext_lazy as _

from jiati.accounts.selectors import staff_visible_to
from jiati.core.forms import Form
from jiati.organisation.models import MemberRole


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
