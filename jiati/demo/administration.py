"""Administration: a company's own administrator, a login that was deactivated when its holder moved on, a week of
sign-ins (with failed ones and a login guessed at until locked) and who was shown owners' full ID numbers — so the
administration pages show what they are for."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from jiati.administration import services
from jiati.audit.models import Disclosure, DisclosureChannel, DisclosureKind
from jiati.housing.models import Owner

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/128.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.50",
]
LOGIN = "/accounts/login/"


def seed(context: dict) -> None:
    people = context["people"]
    district, community = people["district"], people["community"]
    services.staff_change(actor=district, user=people["contractor"], is_unit_admin=True)
    leaver = services.staff_create(
        actor=district, full_name="区加梯办 赵科员（已调离）", phone="13800009901", role=district.role,
        unit_code=services.unit_code_of(district), username="zhao_left",
    )  # fmt: skip
    services.staff_deactivate(actor=district, user=leaver, reason="调往区住建局，账号停用")
    now = timezone.now()
    for user in (people["admin"], district, community, people["subdistrict"], people["finance"]):
        for day in range(7):
            row = AccessLog.objects.create(
                username=user.username, ip_address=f"10.20.{day}.{user.pk % 250}", user_agent=BROWSERS[day % 2],
                http_accept="text/html", path_info=LOGIN,
            )  # fmt: skip
            signed_in = now - timedelta(days=day, hours=2 + user.pk % 5)
            out = signed_in + timedelta(hours=1)
            AccessLog.objects.filter(pk=row.pk).update(attempt_time=signed_in, logout_time=out)
    guesses = [(community.username, "10.20.3.7", False), ("administrator", "203.0.113.50", True)]
    for username, address, locked in guesses:
        for _ in range(3 if not locked else settings.AXES_FAILURE_LIMIT):
            AccessFailureLog.objects.create(
                username=username, ip_address=address, user_agent=BROWSERS[0], http_accept="text/html",
                path_info=LOGIN, locked_out=locked,
            )  # fmt: skip
    AccessAttempt.objects.create(
        username="administrator", ip_address="203.0.113.50", user_agent=BROWSERS[0], http_accept="text/html",
        path_info=LOGIN, get_data="", post_data="", failures_since_start=settings.AXES_FAILURE_LIMIT,
    )  # fmt: skip
    owner_type = ContentType.objects.get_for_model(Owner)
    shown = enumerate(Owner.objects.visible_to(community).order_by("pk")[:6])
    Disclosure.objects.bulk_create(
        [
            Disclosure(
                timestamp=now - timedelta(days=index, minutes=17 * index), viewer=community,
                kind=DisclosureKind.ID_NUMBER,
                channel=DisclosureChannel.PAGE if index % 3 else DisclosureChannel.EXPORT,
                content_type=owner_type, object_id=str(owner.pk), object_repr=owner.name,
                path=f"/housing/owners/{owner.pk}/", ip_address="10.20.1.8",
            )
            for index, owner in shown
        ]
    )  # fmt: skip
