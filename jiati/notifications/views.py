"""The inbox, and the platform administrator's list of deliveries that failed or may have been sent."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiati.accounts.scoping import sees_everything
from jiati.core import stored_text
from jiati.core.errors import get_visible_or_404
from jiati.notifications import selectors, services
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


def undelivered(request):
    """Deliveries that failed or may have been sent (their worker died in the send on a channel that cannot
    deduplicate), for the platform administrator, each with a button to send it again on purpose."""
    if not sees_everything(request.user):
        raise Http404
    return render(
        request,
        "notifications/undelivered.html",
        {"deliveries": selectors.undelivered_deliveries(user=request.user)},
    )


@require_POST
def resend(request, pk: int):
    """Send one unconfirmed or failed delivery again (the platform administrator; audited)."""
    if not sees_everything(request.user):
        raise Http404
    if not Delivery.objects.filter(pk=pk).exists():
        raise Http404
    try:
        services.delivery_resend(actor=request.user, delivery_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The message is being sent again."))
    return redirect("notifications:undelivered")
