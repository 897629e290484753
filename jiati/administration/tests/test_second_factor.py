import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiati.administration import second_factor
from jiati.audit.models import AuditEntry
from jiati.core.tests.factories import build_world


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


@pytest.fixture
def required(settings):
    settings.JIATI_REQUIRE_SECOND_FACTOR = True


def test_roles_reaching_a_district_money_or_full_ids_must_set_it_up_others_need_not(world, client, required):
    for key in ("admin", "district", "finance", "community"):
        client.force_login(world.users[key])
        assert client.get("/").url == "/administration/second-factor/setup/", key
        api = client.get("/api/organisation/regions/")
        assert api.status_code == 403 and api.json()["codes"]["detail"] == "otp"
    for key in ("subdistrict", "property", "contractor"):
        client.force_login(world.users[key])
        assert client.get("/").status_code == 200, key


def test_set_up_with_the_first_code_then_sign_in_again_with_a_recovery_code_once(world, client, required):
    user = world.users["district"]
    client.force_login(user)
    page = client.get("/administration/second-factor/setup/")
    assert page.context["secret"] and page.context["qr"].startswith("data:image/svg+xml")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/administration/second-factor/setup/", {"token": "000000"})
    assert wrong.context["form"].errors["token"]
    done = client.post("/administration/second-factor/setup/", {"token": code_for(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and client.get("/").status_code == 200
    assert AuditEntry.objects.filter(object_id=str(user.pk), message="second factor set up").exists()

    client.logout()
    client.force_login(user)
    assert client.get("/projects/").url == "/administration/second-factor/verify/?next=/projects/"
    assert (
        client.post("/administration/second-factor/verify/", {"token": codes[0], "next": "/projects/"}).url
        == "/projects/"
    )
    client.logout()
    client.force_login(user)
    again = client.post("/administration/second-factor/verify/", {"token": codes[0]})
    assert again.status_code == 200 and again.context["form"].errors["token"]  # each code works once


def test_an_administrator_resets_a_lost_second_factor_audited_and_only_within_reach(world, client):
    user = world.users["community"]
    second_factor.totp_device_start(user=user)
    TOTPDevice.objects.filter(user=user).update(confirmed=True)
    second_factor.recovery_codes_issue(user=user)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        second_factor.second_factor_reset(actor=world.users["other_district"], user=user)
    assert TOTPDevice.objects.filter(user=user).exists()
    client.force_login(world.users["subdistrict"])
    response = client.post(f"/administration/accounts/{user.pk}/second-factor-reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(object_id=str(user.pk), message__startswith="second factor reset")
    assert entry.actor == world.users["subdistrict"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_administrator_types_the_authenticators_code(page, live_server, settings):
    settings.JIATI_REQUIRE_SECOND_FACTOR = True
    world = build_world()
    admin = world.users["admin"]
    admin.set_password("pass-Word-2026")
    admin.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pass-Word-2026")
    page.click("form button[type=submit]:not(.btn-outline-light)")
    page.wait_for_url(f"{live_server.url}/administration/second-factor/setup/")
    secret = page.inner_text("#totp-secret")
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key  # what the app is given
    page.fill("#id_token", code_for(device))
    page.click("#confirm-code")
    page.wait_for_selector("#recovery-codes")
    assert len(page.locator("#recovery-codes li").all()) == 10
    # Next time: password, then the current code from the same secret.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pass-Word-2026")
    page.click("form button[type=submit]:not(.btn-outline-light)")
    page.wait_for_url(f"{live_server.url}/administration/second-factor/verify/**")
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same 30-second step may be used again here
    page.fill("#id_token", code_for(device))
    page.click("#verify-code")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/administration/accounts/")
    assert page.locator("h1").inner_text() == "您管理的账号"
