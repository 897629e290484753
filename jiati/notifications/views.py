"""The inbox."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiati.notifications import services
from jiati.notifications.models import Notification


def inbox(request):
    notes = Notification.objects.visible_to(request.user).order_by("-id")[:100]
    return render(request, "notifications/inbox.html", {"notes": notes})


@require_POST
def mark_read(request):
    note_id = request.POST.get("id")
    services.notification_mark_read(user=request.user, notification_id=int(note_id) if note_id else None)
    return redirect("notifications:inbox")
