"""Leave room in the score line pages (PostgreSQL fillfactor 70): entering an actual and scoring update
every line at least twice, and none of those columns is indexed, so the updates stay HOT (no index
writes) when the new row version fits in the same page."""
from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("appraisals", "ScoreLine")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("appraisals", "ScoreLine")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("appraisals", "0002_fewer_indexes")]
    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
