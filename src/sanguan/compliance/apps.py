from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "sanguan.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from sanguan.accounts import policy

        from .models import Finding

        policy.register_scope(
            Finding,
            lambda f: policy.Scope(
                provinces=frozenset(f.provinces), university_id=f.university_id, centre_id=f.centre_id
            ),
        )
        # Every installed app's ``rules.py`` registers its rules on import.
        autodiscover_modules("rules")
