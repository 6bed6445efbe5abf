"""The second factor cannot be side-stepped by binding a new authenticator: a user whose account already has a
confirmed device, signed in with the password alone, cannot see a fresh secret on the setup page nor confirm one."""

import re

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinguo.testing import TEST_PASSWORD


def _password_only(user) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def test_a_password_alone_cannot_bind_a_second_authenticator(users):
    admin = users["sysadmin"]
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    client = _password_only(admin)
    # The attacker knows the password only. Posting a wrong code to the setup page must not hand out a new secret …
    response = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    page = response.content.decode()
    secrets_shown = re.findall(r"secret=([A-Z2-7]+)", page) + re.findall(r"\b[A-Z2-7]{32}\b", page)
    assert not secrets_shown, "the setup page shows a new authenticator's secret to a password-only session"
    assert response.status_code in (302, 403)
    # … and even a correct code for an unconfirmed device made some other way confirms nothing.
    device = TOTPDevice.objects.create(user=admin, name="attacker", confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code in (302, 403)
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("core:home")).status_code == 302  # still sent to the second-factor step
    assert client.get("/api/me/").status_code == 403


def test_first_binding_still_works(users):
    admin = users["sysadmin"]
    client = _password_only(admin)
    assert client.get(reverse("accounts:otp_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("core:home")).status_code == 200


def test_a_password_alone_cannot_change_the_password_of_an_account_with_a_second_factor(users):
    """Else whoever learnt the password could lock the owner out (and revoke her API tokens) without her phone."""
    admin = users["sysadmin"]
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    client = _password_only(admin)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": "Xy7#kLmn2", "new_password2": "Xy7#kLmn2"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_verify")
    admin.refresh_from_db()
    assert admin.check_password(TEST_PASSWORD)
    assert client.get(reverse("accounts:password_change")).status_code == 302


def test_the_initial_password_is_changed_after_the_second_factor(users, login):
    from jinguo.accounts.models import User

    admin = users["sysadmin"]
    User.objects.filter(pk=admin.pk).update(must_change_password=True)
    client = login(admin)  # second factor passed
    assert client.get(reverse("accounts:password_change")).status_code == 200
    response = client.post(reverse("accounts:password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": "Xy7#kLmn2", "new_password2": "Xy7#kLmn2"})
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password("Xy7#kLmn2")
