"""The 34 province-level divisions, their education departments, the Ministry and the XPCC bureau."""

from django.db import migrations


def load(apps, schema_editor):
    from sanguan.institutions.reference_data import load_provinces

    load_provinces(apps.get_model("institutions", "Province"), apps.get_model("institutions", "Authority"))


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
