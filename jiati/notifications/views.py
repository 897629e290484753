"""The inbox."""

from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiati.core import stored_text
from jiati.core.errors import get_visible_or_404
from jiati.notifications import services
from jiati.notifications.models import Delivery, Notification


def inbox(request):
    """The latest notifications, each with how its outside deliveries went (retrying, failed)."""
    notes = (
        Notification.objects.visible_to(request.user)
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("channel")))
        .order_by("-id")[:100]
    )
    # What the titles and bodies name is read once for the whole inbox (core.stored_text.prepare).
    notes = stored_text.prepare(notes, lambda note: note.texts.get("title"), lambda note: note.texts.get("body"))
    return render(request, "notifications/inbox.html", {"notes": notes})


@require_POST
def mark_read(request):
    """Mark one notification (`id`) or all as read; an id that is not a number, or not yours, answers 404."""
    note_id = None
    if request.POST.get("id"):
        note_id = get_visible_or_404(Notification.objects.visible_to(request.user), pk=request.POST["id"]).pk
    services.notification_mark_read(user=request.user, notification_id=note_id)
    return redirect("notifications:inbox")
