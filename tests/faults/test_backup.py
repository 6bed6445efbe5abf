"""`jinguo backup` / `jinguo restore`: a database with encrypted personal data and its audit chain, round-tripped."""

import base64
import secrets

READ = ("from jinguo.petitions.models import Case, Petitioner; "
        "print(Case.objects.count(), '|'.join(sorted(p.name + p.id_number for p in Petitioner.objects.all())))")


def test_backup_restores_onto_a_new_server_and_over_damage(new_scratch_db, tmp_path):
    source = new_scratch_db(demo=True)
    (source.var_dir / "media" / "attachments").mkdir(parents=True)
    (source.var_dir / "media" / "attachments" / "告诫书.pdf").write_bytes(b"%PDF-1.4 evidence")
    before = source.jinguo("shell", "--no-imports", "-c", READ).stdout
    cases, people = before.split(" ", 1)
    assert int(cases) > 0 and len(people) > 20
    archive = tmp_path / "nightly.tar.gz"
    out = source.jinguo("backup", "-o", str(archive)).stdout
    assert "已备份到" in out and archive.stat().st_mode & 0o077 == 0  # readable by the owner only

    # Disaster: a new server with an empty database and the same keys.
    fresh = new_scratch_db()
    out = fresh.jinguo("restore", str(archive), "--yes").stdout
    assert "审计链完好" in out
    assert fresh.jinguo("shell", "--no-imports", "-c", READ).stdout == before
    assert "审计链完好" in fresh.jinguo("audit_verify").stdout
    assert (fresh.var_dir / "media" / "attachments" / "告诫书.pdf").read_bytes() == b"%PDF-1.4 evidence"

    # Damage on the original: records deleted; restoring brings them back and the chain still verifies.
    deleted = source.jinguo("shell", "--no-imports", "-c",
                            "from jinguo.petitions.models import Case; Case.objects.all().delete(); " + READ)
    assert deleted.stdout.startswith("0 ")  # read back by the same process, after its delete committed
    source.jinguo("restore", str(archive), "--yes")
    assert source.jinguo("shell", "--no-imports", "-c", READ).stdout == before
    assert "审计链完好" in source.jinguo("audit_verify").stdout


def test_restore_refuses_without_the_key_and_changes_nothing(new_scratch_db, tmp_path):
    source = new_scratch_db(demo=True)
    archive = tmp_path / "b.tar.gz"
    source.jinguo("backup", "-o", str(archive))
    target = new_scratch_db()
    other_key = base64.b64encode(secrets.token_bytes(32)).decode()
    result = target.jinguo("restore", str(archive), "--yes", check=False,
                           env={"JINGUO_DATA_KEY": other_key, "JINGUO_INDEX_KEY": target.env["JINGUO_DATA_KEY"]})
    assert result.returncode != 0 and "当前没有配置该密钥" in result.stderr
    assert target.jinguo("shell", "--no-imports", "-c", READ).stdout.startswith("0 ")

    refused = target.jinguo("restore", str(tmp_path / "missing.tar.gz"), "--yes", check=False)
    assert refused.returncode != 0 and "找不到备份文件" in refused.stderr
