"""Grassroots profiles: linking chairs to the talent pool, saving a
profile with its snapshot of the year, and the election (换届) reminders."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.utils import timezone

from jinguo.grassroots.models import TERM_YEARS, OrgProfile, ProfileSnapshot, years_after
from jinguo.people.models import Talent

SNAPSHOT_FIELDS = ("kind_id", "executives", "has_home", "funding", "elected_on")


def match_chair(name: str, talents: models.QuerySet):
    """The one talent-pool entry among `talents` whose person bears `name`, or None (none or several: the page lets
    the user pick). Names are encrypted, so they are compared after decryption, over the chair posts first."""
    name = name.strip()
    if not name:
        return None

    chairs = [Talent.Post.TOWNSHIP_CHAIR, Talent.Post.VILLAGE_CHAIR, Talent.Post.ORGAN_CHAIR,
              Talent.Post.ENTERPRISE_CHAIR]
    for queryset in (talents.filter(post_kind__in=chairs), talents):
        found = [t for t in queryset.select_related("person") if t.person.name == name]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


@transaction.atomic
def save_profile(profile: OrgProfile, *, year: int | None = None) -> OrgProfile:
    """Save the profile and its snapshot of `year` (default: this year), each audited: the survey of a year reads
    that year's snapshot, so the figures of a year already past stay as they were."""
    profile.save()
    take_snapshot(profile, year or timezone.localdate().year)
    return profile


def take_snapshot(profile: OrgProfile, year: int) -> ProfileSnapshot:
    snapshot = ProfileSnapshot.objects.filter(profile=profile, year=year).first()
    if snapshot is None:
        snapshot = ProfileSnapshot(profile=profile, year=year)
    elif all(getattr(snapshot, name) == getattr(profile, name) for name in SNAPSHOT_FIELDS) \
            and snapshot.org_id == profile.org_id:
        return snapshot  # unchanged: no empty audit entry
    snapshot.org_id = profile.org_id
    for name in SNAPSHOT_FIELDS:
        setattr(snapshot, name, getattr(profile, name))
    snapshot.save()
    return snapshot


def election_cutoff(today: dt.date, within_days: int = 0) -> dt.date:
    """Profiles elected on or before this date are due for 换届 by `today + within_days`."""
    return years_after(today + dt.timedelta(days=within_days), -TERM_YEARS)


def elections_due(profiles: models.QuerySet, today: dt.date, within_days: int = 0) -> models.QuerySet:
    """Profiles whose last election is five years old or more (by `today + within_days`)."""
    return profiles.filter(elected_on__lte=election_cutoff(today, within_days))


def elections_unknown(profiles: models.QuerySet) -> models.QuerySet:
    """Profiles with no election date recorded: the reminder cannot say when theirs falls due."""
    return profiles.filter(elected_on__isnull=True)
