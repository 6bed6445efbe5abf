"""Generating and rendering work summaries."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jinguo.core import gbt9704
from jinguo.core.periods import Period
from jinguo.reports.models import Summary
from jinguo.reports.summary import Options, generate, merge, title


@transaction.atomic
def regenerate(summary: Summary) -> Summary:
    """(Re)write the generated blocks from the records, keeping the user's own paragraphs and edits."""
    org, period = summary.org, Period.parse(summary.period)
    options = Options(scope=summary.scope, rounded=summary.rounded, share_places=summary.share_places)
    fresh = generate(org, period, options)
    summary.blocks = merge(summary.blocks or [], fresh) if summary.blocks else fresh
    summary.title = title(org, period)
    summary.status, summary.generated_at = Summary.Status.READY, timezone.now()
    summary.save()
    return summary


def render_docx(blocks: list[dict]) -> bytes:
    return gbt9704.build([gbt9704.Block(b["kind"], b["text"]) for b in blocks if b["text"].strip()])


def summary_docx(org, period: Period, options: Options | None = None) -> bytes:
    """The command-line path: generate and render without storing anything."""
    return render_docx(generate(org, period, options or Options()))
