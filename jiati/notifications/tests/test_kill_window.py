"""A worker killed after the channel accepted a message but before the delivery was recorded as sent (issue 18):
the message is not sent twice. The claim (status sending, with its time) is on the row before the channel is called;
a re-run that finds it sends again with the same idempotency key only over a channel that deduplicates on it, and
otherwise marks the delivery "may have been sent" for the platform administrator, who may resend it on purpose."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jiati.audit.models import AuditEntry
from jiati.notifications import channels, services
from jiati.notifications.models import Delivery, DeliveryStatus, Notification


class _DiesAfterSending:
    """A channel that accepts the message (records it with its key), then its worker dies before the answer is
    recorded — the first time only (SystemExit is what a killed process looks like to the code after the call)."""

    name = "sms"

    def __init__(self, *, idempotent: bool):
        self.idempotent = idempotent
        self.keys: list[str] = []

    def send(self, *, recipient, title, body, url, key=""):
        self.keys.append(key)
        if len(self.keys) == 1:
            raise SystemExit("worker killed")


def _killed_in_the_send(world, settings, monkeypatch, *, idempotent: bool):
    channel = _DiesAfterSending(idempotent=idempotent)
    monkeypatch.setitem(channels.CHANNELS, "sms", channel)
    settings.JIATI_NOTIFICATION_CHANNELS = ["sms"]
    note = services.notify(recipients=[world.users["community"]], kind="test", title="电梯停运通知")[0]
    delivery = Delivery.objects.get(notification=note)
    with pytest.raises(SystemExit):
        services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    # The claim was on the row before the channel was called: that is what the re-run finds.
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENDING, 1)
    assert delivery.claimed_at is not None
    assert channel.keys == [str(delivery.key)]
    return channel, delivery


def _later(monkeypatch, delivery, minutes):
    when = delivery.claimed_at + timedelta(minutes=minutes)
    monkeypatch.setattr(timezone, "now", lambda: when)
    return when


def test_a_message_accepted_before_the_kill_is_not_sent_again_over_a_channel_that_cannot_deduplicate(
    world, settings, monkeypatch, caplog
):
    channel, delivery = _killed_in_the_send(world, settings, monkeypatch, idempotent=False)
    # The task's re-run comes 30 s later: the claim is young (a live worker's, for all it knows), nothing is sent.
    _later(monkeypatch, delivery, 0.5)
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert len(channel.keys) == 1
    # Once the claim is stale the worker is taken for dead: the message may have gone out, so it is not sent again.
    _later(monkeypatch, delivery, 6)
    with caplog.at_level("WARNING", logger="jiati.notifications"):
        ended = services.delivery_attempt(delivery_id=delivery.pk)
    assert ended.status == DeliveryStatus.UNCONFIRMED
    assert len(channel.keys) == 1
    assert any("may have been sent" in r.getMessage() for r in caplog.records)
    # Never sent again by itself: not by another re-run, not by the sweep.
    _later(monkeypatch, delivery, 600)
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert services.deliveries_retry_due() == 0
    assert len(channel.keys) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.UNCONFIRMED and delivery.sent_at is None
    # The inbox copy is there, unread.
    assert Notification.objects.filter(pk=delivery.notification_id, read_at__isnull=True).exists()


def test_a_message_accepted_before_the_kill_is_sent_again_with_the_same_key_over_a_deduplicating_channel(
    world, settings, monkeypatch
):
    channel, delivery = _killed_in_the_send(world, settings, monkeypatch, idempotent=True)
    _later(monkeypatch, delivery, 0.5)
    assert services.delivery_attempt(delivery_id=delivery.pk) is None  # a young claim: not yet
    _later(monkeypatch, delivery, 6)
    ended = services.delivery_attempt(delivery_id=delivery.pk)
    assert ended.status == DeliveryStatus.SENT
    assert channel.keys == [str(delivery.key)] * 2  # once more, with the same key: the gateway sends it once
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert services.delivery_attempt(delivery_id=delivery.pk) is None and len(channel.keys) == 2


def test_the_sweep_leaves_a_young_claim_alone_and_hands_on_a_stale_one(world, settings, monkeypatch):
    channel, delivery = _killed_in_the_send(world, settings, monkeypatch, idempotent=False)
    queued = []
    monkeypatch.setattr(services, "_enqueue", lambda pk, run_after=None: queued.append(pk))
    young = delivery.claimed_at + timedelta(minutes=4)
    assert services.deliveries_retry_due(now=young) == 0
    assert queued == []
    stale = delivery.claimed_at + services.claim_stale_after()
    assert services.deliveries_retry_due(now=stale) == 1
    assert queued == [delivery.pk]
    assert len(channel.keys) == 1


def test_a_young_claim_is_looked_at_again_once_it_is_stale(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """With a backend that can defer, the re-run that finds a live-looking claim queues a look for when it is stale."""
    from jiati.notifications import tasks

    _channel, delivery = _killed_in_the_send(world, settings, monkeypatch, idempotent=False)
    queued = []
    monkeypatch.setattr(type(tasks.deliver.get_backend()), "supports_defer", True)
    monkeypatch.setattr(services, "_enqueue", lambda pk, run_after=None: queued.append((pk, run_after)))
    _later(monkeypatch, delivery, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert queued == [(delivery.pk, delivery.claimed_at + services.claim_stale_after())]


def test_a_slow_worker_taken_for_dead_still_records_that_it_sent(world, settings, monkeypatch):
    """A live worker whose channel call outlasts the claim: the sweep's re-run marks the delivery unconfirmed (and
    sends nothing); when the slow call then returns, what the worker knows — sent — is recorded."""
    real_now = timezone.now
    results = []

    class Slow:
        name, idempotent = "sms", False
        calls = 0

        def send(self, **kwargs):
            Slow.calls += 1
            claimed = Delivery.objects.get(pk=delivery.pk).claimed_at
            monkeypatch.setattr(timezone, "now", lambda: claimed + timedelta(minutes=10))
            results.append(services.delivery_attempt(delivery_id=delivery.pk))  # another worker, meanwhile
            monkeypatch.setattr(timezone, "now", real_now)

    monkeypatch.setitem(channels.CHANNELS, "sms", Slow())
    settings.JIATI_NOTIFICATION_CHANNELS = ["sms"]
    note = services.notify(recipients=[world.users["community"]], kind="test", title="慢")[0]
    delivery = Delivery.objects.get(notification=note)
    services.delivery_attempt(delivery_id=delivery.pk)
    assert [r.status for r in results] == [DeliveryStatus.UNCONFIRMED] and Slow.calls == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None


def test_a_slow_worker_does_not_record_over_the_claim_of_a_resend_made_meanwhile(world, settings, monkeypatch):
    """The slow worker is taken for dead, the administrator resends (attempts start over, a new key) and another
    worker claims the resend with the same counter: the slow worker's answer belongs to the old key, not to the new
    claim, which stays the new worker's to record."""
    real_now = timezone.now
    admin = world.users["admin"]

    class Slow:
        name, idempotent = "sms", False

        def send(self, **kwargs):
            claimed = Delivery.objects.get(pk=delivery.pk).claimed_at
            monkeypatch.setattr(timezone, "now", lambda: claimed + timedelta(minutes=10))
            services.delivery_attempt(delivery_id=delivery.pk)  # the sweep's re-run: unconfirmed
            monkeypatch.setattr(timezone, "now", real_now)
            services.delivery_resend(actor=admin, delivery_id=delivery.pk)
            # Another worker claims the resend (attempts 0 -> 1, as the slow worker's claim had it).
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.SENDING, attempts=1, claimed_at=timezone.now()
            )

    monkeypatch.setitem(channels.CHANNELS, "sms", Slow())
    settings.JIATI_NOTIFICATION_CHANNELS = ["sms"]
    note = services.notify(recipients=[world.users["community"]], kind="test", title="慢")[0]
    delivery = Delivery.objects.get(notification=note)
    old_key = delivery.key
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.key != old_key
    assert (delivery.status, delivery.attempts, delivery.sent_at) == (DeliveryStatus.SENDING, 1, None)


def test_a_failed_send_after_the_claim_retries_as_before(world, settings, monkeypatch):
    """The claim does not change the ordinary failure: an error from the gateway is a retry, not unconfirmed."""

    class Down:
        name, idempotent = "sms", False

        def send(self, **kwargs):
            raise ConnectionError("gateway down")

    monkeypatch.setitem(channels.CHANNELS, "sms", Down())
    settings.JIATI_NOTIFICATION_CHANNELS = ["sms"]
    note = services.notify(recipients=[world.users["community"]], kind="test", title="重试")[0]
    ended = services.delivery_attempt(delivery_id=Delivery.objects.get(notification=note).pk)
    assert (ended.status, ended.attempts) == (DeliveryStatus.RETRYING, 1)
    assert Delivery.objects.get(pk=ended.pk).status == DeliveryStatus.RETRYING


# --- the key on each channel --------------------------------------------------------------------------------------


def test_the_http_sms_gateway_gets_the_key_as_a_field_and_a_header(settings, monkeypatch):
    captured = []

    class Answer:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(request, timeout):
        captured.append(request)
        return Answer()

    monkeypatch.setattr(channels.urllib.request, "urlopen", urlopen)
    settings.JIATI_SMS_GATEWAY_URL = "https://sms.example.cn/send"
    sender = channels.HttpSmsSender()
    sender.send(phone="13800138000", text="【加梯】通知", key="5b1f0e3c-key")
    sender.send(phone="13800138000", text="验证码 123456")  # one-time codes carry no key
    first, second = captured
    assert json.loads(first.data) == {"phone": "13800138000", "text": "【加梯】通知", "idempotency_key": "5b1f0e3c-key"}
    assert first.get_header("Idempotency-key") == "5b1f0e3c-key"
    assert "idempotency_key" not in json.loads(second.data) and second.get_header("Idempotency-key") is None


def test_only_channels_that_deduplicate_say_so(settings):
    settings.JIATI_SMS_SENDER = "jiati.notifications.channels.HttpSmsSender"
    assert not channels.channel_is_idempotent("sms")  # off by default for the HTTP gateway
    settings.JIATI_SMS_GATEWAY_DEDUPLICATES = True
    assert channels.channel_is_idempotent("sms")
    settings.JIATI_SMS_SENDER = "jiati.notifications.channels.ConsoleSmsSender"
    assert channels.channel_is_idempotent("sms") and channels.channel_is_idempotent("console")
    assert not channels.channel_is_idempotent("email") and not channels.channel_is_idempotent("wecom")


def test_the_email_carries_the_key_as_its_message_id(world, settings, django_capture_on_commit_callbacks):
    settings.JIATI_NOTIFICATION_CHANNELS = ["email"]
    settings.DEFAULT_FROM_EMAIL = "jiati@longgang.gov.cn"
    user = world.users["community"]
    user.email = "staff@example.cn"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify(recipients=[user], kind="test", title="邮件")[0]
    delivery = Delivery.objects.get(notification=note)
    assert delivery.status == DeliveryStatus.SENT
    assert mail.outbox[-1].message()["Message-ID"] == f"<{delivery.key}@longgang.gov.cn>"


def test_each_delivery_has_its_own_key(world, settings):
    settings.JIATI_NOTIFICATION_CHANNELS = ["console", "sms"]
    services.notify(recipients=[world.users["community"], world.users["subdistrict"]], kind="test", title="键")
    keys = list(Delivery.objects.values_list("key", flat=True))
    assert len(keys) == 4 and len(set(keys)) == 4 and all(isinstance(k, uuid.UUID) for k in keys)


# --- the platform administrator's list and the deliberate resend ----------------------------------------------------


def _unconfirmed(world, settings, monkeypatch):
    real_now = timezone.now
    channel, delivery = _killed_in_the_send(world, settings, monkeypatch, idempotent=False)
    _later(monkeypatch, delivery, 6)
    services.delivery_attempt(delivery_id=delivery.pk)
    monkeypatch.setattr(timezone, "now", real_now)
    delivery.refresh_from_db()
    return channel, delivery


def test_the_platform_administrator_sees_it_and_may_resend_it_on_purpose(
    world, settings, monkeypatch, client_for, django_capture_on_commit_callbacks
):
    channel, delivery = _unconfirmed(world, settings, monkeypatch)
    admin = world.users["admin"]
    page = client_for(admin).get(reverse("notifications:undelivered")).content.decode()
    assert "delivery-unconfirmed" in page and "电梯停运通知" in page
    # Why it is listed is worded in the reader's language, not stored in the worker's (issue 13's rule).
    assert "which cannot tell a repeat: not sent again" in page
    chinese = client_for(admin)
    chinese.cookies["django_language"] = "zh-hans"
    page = chinese.get(reverse("notifications:undelivered")).content.decode()
    assert "不会自动再发" in page and "worker" not in page.split("<tbody>", 1)[1]
    old_key = delivery.key
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(reverse("notifications:resend", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.key != old_key and channel.keys == [str(old_key), str(delivery.key)]  # a new message, new key
    entry = AuditEntry.objects.filter(object_id=str(delivery.pk), message="delivery sent again on purpose").get()
    assert entry.actor == admin and entry.changes["status"] == ["unconfirmed", "pending"]
    with pytest.raises(ValidationError):  # a sent one is not sent again
        services.delivery_resend(actor=admin, delivery_id=delivery.pk)


def test_nobody_else_sees_the_list_or_resends(world, settings, monkeypatch, client_for):
    channel, delivery = _unconfirmed(world, settings, monkeypatch)
    for role in ("district", "community"):
        client = client_for(world.users[role])
        assert client.get(reverse("notifications:undelivered")).status_code == 404
        assert client.post(reverse("notifications:resend", args=[delivery.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.delivery_resend(actor=world.users["district"], delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.UNCONFIRMED and len(channel.keys) == 1
    # The recipient reads in his inbox that the text message may have been sent.
    inbox = client_for(world.users["community"]).get(reverse("notifications:inbox")).content.decode()
    assert "delivery-unconfirmed" in inbox
