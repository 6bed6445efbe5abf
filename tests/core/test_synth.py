"""`jinguo synth` writes records the application reads back like any other: decryptable, searchable, in sequence."""

import pytest
from django.core.management import call_command

from jinguo.audit.services import verify_chain
from jinguo.core.crypto import search_hash
from jinguo.core.idcard import normalize_id_number
from jinguo.demo import synth as synth_module
from jinguo.ledger.models import Activity, ActivityCell, ActivityFigure
from jinguo.petitions.models import Case, Petitioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(synth_module.SCALES, "tiny", synth_module.Scale(2, 2, 3, 120, 300))
    return "tiny"


def test_synth_writes_readable_records_and_keeps_the_audit_chain(tiny, capsys):
    report = synth_module.synth(tiny, seed=7, batch=50)  # several batches, ids assigned across them

    assert Case.objects.filter(org__path__startswith="/990000/").count() == 120
    assert Activity.objects.filter(org__path__startswith="/990000/").count() == 300
    assert ActivityFigure.objects.filter(activity__org__path__startswith="/990000/").count() == report.counts[
        "figures"] > 300
    assert Activity.themes.through.objects.filter(activity__org__path__startswith="/990000/").exists()
    assert ActivityCell.objects.exists()  # the roll-up the statistics read was rebuilt
    person = Petitioner.objects.select_related("case").order_by("-pk").first()
    assert normalize_id_number(person.id_number) == person.id_number  # decrypts to a valid ID number
    assert person.name and person.phone.startswith("1")
    assert Petitioner.objects.filter(id_hash=search_hash(person.id_number)).exists()
    assert person.case.number.startswith(person.case.org.code)
    checked, broken = verify_chain()
    assert broken is None and checked >= 1
    # Every reference the rows make points at a row (on PostgreSQL the synth loads with the foreign keys' triggers
    # off, trusting the ids it makes): no case, person, activity, figure, theme link or roll-up row is an orphan.
    from django.apps import apps

    for model in (Case, Petitioner, Activity, ActivityFigure, Activity.themes.through, ActivityCell,
                  apps.get_model("ledger", "ActivityRank"), apps.get_model("ledger", "SectionCell"),
                  apps.get_model("petitions", "CaseCell"), apps.get_model("petitions", "CaseCounter")):
        for fk in (f for f in model._meta.concrete_fields if f.is_relation and f.db_constraint):
            target = fk.related_model._default_manager.values(fk.target_field.attname)
            orphans = model._default_manager.exclude(**{f"{fk.attname}__isnull": True}).exclude(
                **{f"{fk.attname}__in": target})
            assert not orphans.exists(), f"{model.__name__}.{fk.name} points at missing rows"

    # The ids the synth assigned itself leave the sequences behind them: ordinary saves still work.
    case = Case.objects.order_by("pk").first()
    case.pk, case.number = None, "990000-extra-1"
    case.save()
    assert case.pk > Case.objects.exclude(pk=case.pk).order_by("-pk").first().pk


def test_synth_command_refuses_a_seeded_database(tiny):
    from django.core.management.base import CommandError

    synth_module.synth(tiny, seed=1)
    with pytest.raises(CommandError, match="已有合成数据"):
        call_command("synth", "--scale", "county")
