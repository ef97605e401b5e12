"""On PostgreSQL the database itself keeps an appeal's decision as it was made: once `decided_at` is set,
the outcome, its reasons, the decision time and the correction it applied cannot change, and a decided
appeal cannot be deleted. (Other columns, e.g. the version or an overdue mark, may still move.)"""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION appeals_appeal_decision_kept() RETURNS trigger AS $$
BEGIN
  IF OLD.decided_at IS NOT NULL THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'appeal decisions are append-only: a decided appeal is kept';
    END IF;
    IF NEW.outcome IS DISTINCT FROM OLD.outcome
       OR NEW.decision_reasons IS DISTINCT FROM OLD.decision_reasons
       OR NEW.decided_at IS DISTINCT FROM OLD.decided_at
       OR (OLD.correction_id IS NOT NULL AND NEW.correction_id IS DISTINCT FROM OLD.correction_id) THEN
      RAISE EXCEPTION 'appeal decisions are append-only: the decision is kept as made';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS appeals_appeal_decision_no_change ON appeals_appeal;
CREATE TRIGGER appeals_appeal_decision_no_change BEFORE UPDATE OR DELETE ON appeals_appeal
  FOR EACH ROW EXECUTE FUNCTION appeals_appeal_decision_kept();
"""
DROP = """
DROP TRIGGER IF EXISTS appeals_appeal_decision_no_change ON appeals_appeal;
DROP FUNCTION IF EXISTS appeals_appeal_decision_kept();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
