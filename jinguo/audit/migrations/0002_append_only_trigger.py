"""On PostgreSQL, reject UPDATE and DELETE of audit entries at the database (a bug or a stray script cannot
rewrite history; someone who disables the trigger still breaks the hash chain, which `audit_verify` finds).

TRUNCATE is left to the table owner (test databases are flushed with it); production runs the application as
a role that does not own the table — see docs/deploy.md.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除 (audit_auditentry is append-only)';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_reject_change();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_reject_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
