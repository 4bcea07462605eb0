from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "sanguan.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from sanguan.accounts import policy

        from .models import Sanction

        # A sanction lies with its university: the university's province supervises it.
        policy.register_scope(
            Sanction,
            lambda s: policy.Scope(provinces=frozenset({s.university.province_id}), university_id=s.university_id),
        )
