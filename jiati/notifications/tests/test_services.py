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


# --- retries, the failed state, the console sender, bad input ------------------------


class _Flaky:
    """A channel that fails `failures` times, then delivers."""

    name = "sms"

    def __init__(self, failures):
        self.failures, self.calls = failures, 0

    def send(self, **kwargs):
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("gateway down")


def _notify_over_flaky(world, settings, monkeypatch, failures, capture):
    from jiati.notifications import channels

    flaky = _Flaky(failures)
    monkeypatch.setitem(channels.CHANNELS, "sms", flaky)
    settings.JIATI_NOTIFICATION_CHANNELS = ["sms"]
    with capture(execute=True):
        note = services.notify(recipients=[world.users["community"]], kind="test", title="重试")[0]
    return flaky, Delivery.objects.get(notification=note)


def test_a_failed_delivery_waits_longer_before_each_retry_then_succeeds(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    flaky, delivery = _notify_over_flaky(world, settings, monkeypatch, 2, django_capture_on_commit_callbacks)
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    assert "gateway down" in delivery.error
    first_wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_wait <= services.FIRST_RETRY_AFTER
    # Not due yet: nothing is sent.
    assert services.deliveries_retry_due() == 0
    assert services.delivery_attempt(delivery_id=delivery.pk) is None and flaky.calls == 1
    later = timezone.now() + timedelta(minutes=2)
    assert services.deliveries_retry_due(now=later) == 1  # queued, but the attempt checks the time itself
    assert flaky.calls == 1
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert services.deliveries_retry_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("retrying", 2)
    assert delivery.next_attempt_at - later == services.retry_wait(attempts=2) == 4 * services.FIRST_RETRY_AFTER
    monkeypatch.setattr(timezone, "now", lambda: later + timedelta(hours=1))
    services.deliveries_retry_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 3, "")


def test_retries_are_bounded_and_end_in_a_visible_failed_state(
    world, settings, monkeypatch, client_for, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    flaky, delivery = _notify_over_flaky(world, settings, monkeypatch, 99, django_capture_on_commit_callbacks)
    now = timezone.now()
    for hour in range(1, 10):
        monkeypatch.setattr(timezone, "now", lambda hour=hour: now + timedelta(hours=hour * 3))
        services.deliveries_retry_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, flaky.calls) == ("failed", services.MAX_ATTEMPTS, services.MAX_ATTEMPTS)
    assert delivery.next_attempt_at is None
    monkeypatch.undo()
    html = client_for(world.users["community"]).get(reverse("notifications:inbox")).content.decode()
    assert "delivery-failed" in html and f"not delivered ({services.MAX_ATTEMPTS} attempts)" in html


def test_deferred_retries_are_queued_for_their_time(world, settings, monkeypatch, django_capture_on_commit_callbacks):
    """With a backend that can defer (the database worker), the retry is queued with run_after."""
    from jiati.notifications import tasks

    queued = []
    monkeypatch.setattr(type(tasks.deliver.get_backend()), "supports_defer", True)
    monkeypatch.setattr(services, "_enqueue", lambda pk, run_after=None: queued.append((pk, run_after)))
    flaky = _Flaky(1)
    from jiati.notifications import channels

    monkeypatch.setitem(channels.CHANNELS, "sms", flaky)
    settings.JIATI_NOTIFICATION_CHANNELS = ["sms"]
    note = services.notify(recipients=[world.users["community"]], kind="test", title="延后")[0]
    delivery = Delivery.objects.get(notification=note)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert queued == [(delivery.pk, delivery.next_attempt_at)]


def test_a_delivery_is_sent_once_even_if_queued_twice(world, settings, monkeypatch):
    from jiati.notifications import channels

    flaky = _Flaky(0)
    monkeypatch.setitem(channels.CHANNELS, "sms", flaky)
    settings.JIATI_NOTIFICATION_CHANNELS = ["sms"]
    note = services.notify(recipients=[world.users["community"]], kind="test", title="一次")[0]
    delivery = Delivery.objects.get(notification=note)
    services.delivery_attempt(delivery_id=delivery.pk)
    services.delivery_attempt(delivery_id=delivery.pk)
    assert flaky.calls == 1


def test_console_sms_logs_the_code_with_the_phone_masked(capsys, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="jiati.notifications"):
        ConsoleSmsSender().send(phone="13800138000", text="【加梯】验证码 482913")
    assert "13800138000" not in capsys.readouterr().out
    logged = [r.getMessage() for r in caplog.records if r.name == "jiati.notifications"]
    assert logged == ["[SMS to 138****8000] 【加梯】验证码 482913"]


@pytest.mark.parametrize("bad", ["abc", "1.5", "9999999"])
def test_mark_read_answers_404_to_a_bad_or_foreign_id(world, client_for, bad):
    response = client_for(world.users["community"]).post(reverse("notifications:mark-read"), {"id": bad})
    assert response.status_code == 404


# --- WeCom: the recipient's own group's robot ----------------------------------------------


def test_wecom_notices_go_to_the_recipients_own_group(world, settings, monkeypatch, django_capture_on_commit_callbacks):
    from jiati.notifications import channels
    from jiati.organisation.models import GroupMembership, ServiceGroup

    posted = []
    monkeypatch.setattr(channels, "_post_json", lambda url, payload: posted.append((url, payload)))
    settings.JIATI_NOTIFICATION_CHANNELS = ["wecom"]
    settings.JIATI_WECOM_WEBHOOK_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=shared"
    district = ServiceGroup.objects.create(
        name="区加梯办",
        level="district_office",
        region=world.regions["A"],
        wecom_webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=district",
    )
    community = ServiceGroup.objects.create(
        name="新木社区小组",
        level="community_group",
        region=world.regions["A1a"],
        wecom_webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=xinmu",
    )
    GroupMembership.objects.create(group=district, user=world.users["community"])
    GroupMembership.objects.create(group=community, user=world.users["community"])
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[world.users["community"]], kind="test", title="个人消息")
        services.notify(recipients=[world.users["subdistrict"]], kind="test", title="无小组")
        services.notify(recipients=[world.users["district"]], kind="test", title="本区")
    urls = [url.rsplit("=", 1)[1] for url, _payload in posted]
    # the narrowest group of the member; the shared robot for someone without a group; the group of one's unit
    assert urls == ["xinmu", "shared", "district"]
    assert "community" in posted[0][1]["markdown"]["content"]
    settings.JIATI_WECOM_WEBHOOK_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify(recipients=[world.users["subdistrict"]], kind="test", title="无处可发")[0]
    assert Delivery.objects.get(notification=note).status == "failed"
