"""On PostgreSQL the database itself refuses UPDATE and DELETE of result corrections (the published
result before and after each correction): like the audit trail, they are append-only."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION appraisals_resultcorrection_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'result corrections are append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS appraisals_resultcorrection_no_change ON appraisals_resultcorrection;
CREATE TRIGGER appraisals_resultcorrection_no_change BEFORE UPDATE OR DELETE ON appraisals_resultcorrection
  FOR EACH ROW EXECUTE FUNCTION appraisals_resultcorrection_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS appraisals_resultcorrection_no_change ON appraisals_resultcorrection;
DROP FUNCTION IF EXISTS appraisals_resultcorrection_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("appraisals", "0005_result_corrections")]
    operations = [migrations.RunPython(forwards, backwards)]
