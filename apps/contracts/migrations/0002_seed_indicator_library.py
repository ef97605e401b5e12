"""The indicator library exists in every install: the deck's example indicators (idempotent)."""
from django.db import migrations


def seed(apps, schema_editor):
    from apps.contracts.seed import seed_indicator_library

    seed_indicator_library(apps.get_model("contracts", "Indicator"), apps.get_model("org", "Department"))


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("org", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
