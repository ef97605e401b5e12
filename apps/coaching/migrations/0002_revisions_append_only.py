"""On PostgreSQL the database itself refuses UPDATE and DELETE of coaching record revisions (each
version of a record as written, signed ones included): like the audit trail, they are append-only."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION coaching_recordrevision_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'coaching record revisions are append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS coaching_recordrevision_no_change ON coaching_recordrevision;
CREATE TRIGGER coaching_recordrevision_no_change BEFORE UPDATE OR DELETE ON coaching_recordrevision
  FOR EACH ROW EXECUTE FUNCTION coaching_recordrevision_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS coaching_recordrevision_no_change ON coaching_recordrevision;
DROP FUNCTION IF EXISTS coaching_recordrevision_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
