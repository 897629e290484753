"""The start page shows unread notifications."""

from django.utils.translation import gettext as _

from jiati.core import stored_text
from jiati.notifications.models import Notification


def start_page_widgets(*, user) -> list[dict]:
    notes = Notification.objects.visible_to(user).unread().order_by("-id")[:5]
    notes = stored_text.prepare(notes, lambda note: note.texts.get("title"))  # the titles' values read at once
    if not notes:
        return []
    return [{"order": 5, "template": "notifications/_widget.html", "title": _("Unread notifications"), "notes": notes}]
