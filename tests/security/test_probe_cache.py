"""No answer that may carry personal data stays in a cache: pages, API answers, exports, downloads and attachments
all say `Cache-Control: no-store` (a shared office PC keeps nothing after the idle logout); static files still cache."""

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse

from jinguo.core.models import Attachment


def test_pages_api_exports_and_attachments_are_not_stored(tree, users, login, make_case, make_activity):
    case = make_case(tree["county"], name="李某", id_number="110108200003154578")
    activity = make_activity(tree["county"], "宣传", "2025-03-08")
    photo = Attachment(content_type=ContentType.objects.get_for_model(case), object_id=case.pk, name="伤情.png",
                       kind="image", size=8, uploaded_by=users["staff"])
    photo.file.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    photo.save()
    client = login(users["staff"])
    urls = [reverse("core:home"), case.get_absolute_url(), reverse("petitions:case_list"),
            reverse("petitions:case_list") + "?export=xlsx", reverse("ledger:activity_list") + "?export=xlsx",
            activity.get_absolute_url(), f"/api/cases/{case.pk}/", "/api/cases/", "/api/me/",
            reverse("core:attachment_download", args=[photo.pk]), "/no-such-page/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert "no-store" in response.get("Cache-Control", ""), f"{url}: {response.get('Cache-Control')}"
        if response.streaming:
            b"".join(response.streaming_content)
    static = client.get("/static/jinguo/app.js")
    assert "no-store" not in static.get("Cache-Control", "")
