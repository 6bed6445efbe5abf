"""The bulk path computes the chain in one pass over plain values (each entry's data serialised once, for its hash
and its row): what it stores must verify exactly as entries written one by one do, whatever the texts hold."""

from jinguo.audit.models import AuditEntry
from jinguo.audit.services import record_created_many, record_event, record_events_many, verify_chain
from jinguo.core.events import Event


def test_bulk_entries_verify_like_single_ones_whatever_their_texts(tree):
    orgs = [tree["county"], tree["township"], tree["sister"]]
    tricky = ['"data":null', 'x", "data":null, "y', "引号\"与\\反斜杠", "\u2028换行\n", ""]
    record_event("case.accepted", tree["county"], note=tricky[0], data={"note": tricky[1]})
    record_created_many(orgs, [{"备注": t, "data": None} for t in tricky[:3]])
    record_events_many("case.edited", orgs, notes=tricky[2:], data=[{"n": 1.5}, {"d": [1, "二"]}, {}])
    count, broken = verify_chain()
    assert broken is None and count == AuditEntry.objects.count() >= 7
    for entry in AuditEntry.objects.order_by("seq"):
        assert entry.compute_hash() == entry.hash, entry.seq
    stored = AuditEntry.objects.filter(action=Event.CREATED).order_by("-seq")[2]  # the first of the three
    assert stored.data["after"]["备注"] == tricky[0] and stored.data["before"] == {}
