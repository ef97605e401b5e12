from django.db import migrations


def create_row(apps, schema_editor):
    apps.get_model("accounts", "SecuritySettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_security_settings")]
    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
