"""Rows every installation has: the 34 provinces, their education departments, the Ministry
and the XPCC's bureau. Loaded by migration 0002; tests that flush the database reload them."""

from __future__ import annotations

from typing import Any

from sanguan.codes.provinces import PROVINCES


def load_provinces(province_model: Any, authority_model: Any) -> None:
    """Idempotent. Takes the models so that a migration can pass its historical ones."""
    if province_model.objects.count() == len(PROVINCES) and authority_model.objects.exists():
        return
    for code, (name, name_en) in PROVINCES.items():
        province, _ = province_model.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})
        authority_model.objects.get_or_create(
            name=f"{name}教育厅" if not name.endswith("市") else f"{name}教育委员会",
            defaults={"kind": "PROVINCIAL", "province": province},
        )
    authority_model.objects.get_or_create(name="中华人民共和国教育部", defaults={"kind": "MINISTRY"})
    authority_model.objects.get_or_create(name="新疆生产建设兵团教育局", defaults={"kind": "XPCC"})
