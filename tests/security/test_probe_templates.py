"""An office's Word template is data, not code: its {{ … }} fields are rendered in a sandbox, so a template that
reaches for Python's internals (server-side template injection) is refused and runs nothing."""

import io
import os
import tempfile

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from jinguo.reports.models import SummaryTemplate
from jinguo.reports.services import render_into_template

MARKER = os.path.join(tempfile.gettempdir(), f"jinguo-ssti-probe-{os.getpid()}")
# Each reaches os.system through the one variable the template may use; the loop variable is "declared", so the
# field check (only known variable names) lets these through.
ESCAPES = [
    "{% for c in 标题.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'catch_warnings' %}"
    "{{ c()._module.__builtins__['__import__']('os').system('touch " + MARKER + "') }}{% endif %}{% endfor %}",
    "{{ 标题|attr('__class__') }}",
    "{{ 标题.format.__globals__ }}",
]


def _template(extra: str) -> bytes:
    document = Document()
    document.add_paragraph("{{ 标题 }}")
    document.add_paragraph(extra)
    document.add_paragraph("{{ 正文 }}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def no_marker():
    if os.path.exists(MARKER):
        os.remove(MARKER)
    yield MARKER
    if os.path.exists(MARKER):
        os.remove(MARKER)


@pytest.mark.parametrize("payload", ESCAPES, ids=["subclasses", "attr-filter", "globals"])
def test_a_template_reaching_for_python_internals_is_refused_and_runs_nothing(payload, tree, users, login, settings,
                                                                              tmp_path, no_marker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = login(users["staff"])  # an ordinary county staff member may upload her office's template
    upload = SimpleUploadedFile("红头.docx", _template(payload), content_type="application/octet-stream")
    client.raise_request_exception = False
    response = client.post("/reports/summaries/templates/add/", {"org": tree["county"].pk, "name": "模板",
                                                                  "file": upload})
    assert not os.path.exists(no_marker), "the template ran a shell command on the server"
    assert response.status_code == 400, response.status_code
    assert not SummaryTemplate.objects.exists()
    # Rendering a stored template (one put there before this check existed) is sandboxed too.
    with pytest.raises(ValidationError):
        render_into_template(_template(payload), [{"kind": "title", "text": "标题"}, {"kind": "para", "text": "x"}])
    assert not os.path.exists(no_marker)


def test_plain_fields_still_render():
    content = render_into_template(_template("单位：{{ 单位 }} {{ 统计期 }}"),
                                   [{"kind": "title", "text": "<总结>&"}, {"kind": "para", "text": "正文一段"},
                                    {"kind": "sign", "text": "东安县妇联"}], period_label="2025年")
    texts = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    assert texts[0] == "<总结>&" and "单位：东安县妇联 2025年" in texts and "正文一段" in texts


def _padded_template(paragraphs: int) -> bytes:
    """A template whose document.xml holds `paragraphs` paragraphs, padded with a stored random part so the zip's
    unpacked/packed ratio passes the zip-bomb check."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(_template("")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * paragraphs)
            archive.writestr(item, data)
        archive.writestr(zipfile.ZipInfo("word/media/pad.bin"), os.urandom(120_000), compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def test_a_template_too_long_to_render_is_refused_at_once(tree, users, login, settings, tmp_path):
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = login(users["staff"])
    content = _padded_template(200_000)  # ~7 MB of XML in a ~0.2 MB upload: minutes of CPU if rendered
    assert len(content) < 300_000
    started = time.monotonic()
    response = client.post("/reports/summaries/templates/add/", {
        "org": tree["county"].pk, "name": "长模板", "file": SimpleUploadedFile("长.docx", content)})
    assert time.monotonic() - started < 10
    assert response.status_code == 400 and "过长" in response.content.decode()
    assert not SummaryTemplate.objects.exists()
    # A template of ordinary length (a few hundred paragraphs of 版头 and notes) is still accepted.
    ordinary = SimpleUploadedFile("红头.docx", _padded_template(300))
    response = client.post("/reports/summaries/templates/add/", {"org": tree["county"].pk, "name": "红头",
                                                                  "file": ordinary})
    assert response.status_code == 302
