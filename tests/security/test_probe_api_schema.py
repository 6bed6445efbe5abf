"""The OpenAPI schema and its docs page are for signed-in users past the sign-in gates, like the API they describe."""

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice


def test_schema_and_docs_refuse_anonymous_and_half_signed_in_callers(users, login):
    anonymous = Client()
    for url in ("/api/schema/", "/api/docs/", "/api/docs/?script="):
        response = anonymous.get(url)
        assert response.status_code == 401, (url, response.status_code)
        assert b"/api/cases/" not in response.content
    # Password right, second factor not passed.
    TOTPDevice.objects.create(user=users["sysadmin"], name="phone", confirmed=True)
    half = Client()
    half.force_login(users["sysadmin"])
    assert half.get("/api/schema/").status_code == 403
    # Signed in: served.
    client = login(users["staff"])
    assert client.get("/api/schema/").status_code == 200 and client.get("/api/docs/").status_code == 200
