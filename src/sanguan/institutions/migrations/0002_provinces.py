"""The 34 province-level divisions, their education departments, the Ministry and the XPCC bureau."""

from django.db import migrations


def load(apps, schema_editor):
    from sanguan.codes.provinces import PROVINCES

    Province = apps.get_model("institutions", "Province")
    Authority = apps.get_model("institutions", "Authority")
    for code, (name, name_en) in PROVINCES.items():
        province, _ = Province.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})
        Authority.objects.get_or_create(
            name=f"{name}教育厅" if not name.endswith("市") else f"{name}教育委员会",
            defaults={"kind": "PROVINCIAL", "province": province},
        )
    Authority.objects.get_or_create(name="中华人民共和国教育部", defaults={"kind": "MINISTRY"})
    Authority.objects.get_or_create(name="新疆生产建设兵团教育局", defaults={"kind": "XPCC"})


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
