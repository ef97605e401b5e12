"""On PostgreSQL the database itself refuses to change a signature, and to delete one of an agreed (or
superseded) contract: what both parties signed stays as signed. Signatures of a contract that is still
being negotiated are cleared by the workflow when it goes back to the appraiser (returned)."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION contracts_signature_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'contract signatures are append-only';
  END IF;
  IF EXISTS (SELECT 1 FROM contracts_contract c WHERE c.id = OLD.contract_id
             AND c.status IN ('agreed', 'superseded')) THEN
    RAISE EXCEPTION 'the signatures of an agreed contract are kept';
  END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS contracts_signature_no_change ON contracts_contractsignature;
CREATE TRIGGER contracts_signature_no_change BEFORE UPDATE OR DELETE ON contracts_contractsignature
  FOR EACH ROW EXECUTE FUNCTION contracts_signature_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS contracts_signature_no_change ON contracts_contractsignature;
DROP FUNCTION IF EXISTS contracts_signature_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_seed_indicator_library")]
    operations = [migrations.RunPython(forwards, backwards)]
