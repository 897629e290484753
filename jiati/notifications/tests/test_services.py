"""The inbox always gets the message; outside channels deliver after the commit, once."""

import re

import pytest
from django.urls import reverse

from jiati.notifications import services
from jiati.notifications.channels import ConsoleSmsSender
from jiati.notifications.models import Delivery, Notification


def test_notify_fills_the_inbox_and_delivers_after_commit(world, settings, django_capture_on_commit_callbacks):
    settings.JIATI_NOTIFICATION_CHANNELS = ["console", "sms"]
    user = world.users["community"]
    user.phone = "13800138000"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notes = services.notify(recipients=[user, user], kind="test", title="请处理", url="/projects/1/")
    assert len(notes) == 1
    assert Delivery.objects.filter(notification=notes[0], status="sent").count() == 2
    assert ConsoleSmsSender.sent[-1] == ("13800138000", "【加梯】请处理")


def test_a_dedupe_key_tells_once(world):
    user = world.users["community"]
    services.notify(recipients=[user], kind="overdue", title="逾期", dedupe_key="overdue:1:vote")
    services.notify(recipients=[user], kind="overdue", title="逾期", dedupe_key="overdue:1:vote")
    assert Notification.objects.filter(recipient=user).count() == 1


def test_unreachable_channel_fails_without_losing_the_inbox(world, settings, django_capture_on_commit_callbacks):
    settings.JIATI_NOTIFICATION_CHANNELS = ["email"]
    user = world.users["community"]
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify(recipients=[user], kind="test", title="无邮箱")[0]
    delivery = Delivery.objects.get(notification=note)
    assert delivery.status == "failed" and "e-mail" in delivery.error
    assert Notification.objects.filter(pk=note.pk).exists()


def test_inbox_is_private_and_marks_read(world, client_for):
    note = services.notify(recipients=[world.users["community"]], kind="test", title="给社区的消息")[0]
    other = client_for(world.users["subdistrict"])
    assert "给社区的消息" not in other.get(reverse("notifications:inbox")).content.decode()
    other.post(reverse("notifications:mark-read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None
    mine = client_for(world.users["community"])
    assert "给社区的消息" in mine.get(reverse("notifications:inbox")).content.decode()
    mine.post(reverse("notifications:mark-read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize("phone", ["13800138000"])
def test_portal_sign_in_with_a_one_time_code(client, world, phone):
    owner = world.stairwells["a1a"].dwellings.first().ownerships.first().owner
    owner.phone = phone
    owner.save()
    client.post(reverse("portal:login"), {"send": "1", "phone": phone})
    code = re.search(r"\d{6}", ConsoleSmsSender.sent[-1][1]).group()
    wrong_code = "000000" if code != "000000" else "111111"
    wrong = client.post(reverse("portal:login"), {"verify": "1", "phone": phone, "code": wrong_code})
    assert wrong.status_code == 200
    response = client.post(reverse("portal:login"), {"verify": "1", "phone": phone, "code": code})
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200
