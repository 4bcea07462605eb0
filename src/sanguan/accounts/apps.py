from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sanguan.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from sanguan.institutions.models import CentreFiling, LearningCentre, Major, Province, University

        from . import policy

        policy.register_scope(Province, lambda p: policy.Scope(provinces=frozenset({p.code})))
        policy.register_scope(
            University, lambda u: policy.Scope(provinces=frozenset({u.province_id}), university_id=u.pk)
        )
        policy.register_scope(
            Major,
            lambda m: policy.Scope(provinces=frozenset({m.university.province_id}), university_id=m.university_id),
        )
        policy.register_scope(
            LearningCentre,
            lambda c: policy.Scope(
                provinces=frozenset({c.university.province_id, c.host_province_id}),
                university_id=c.university_id,
                centre_id=c.pk,
            ),
        )
        policy.register_scope(CentreFiling, lambda f: policy.scope_of(f.centre))
