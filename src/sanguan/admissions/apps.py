from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "sanguan.admissions"
    label = "admissions"
    verbose_name = _("Admissions")

    def ready(self) -> None:
        from sanguan.accounts import policy

        from . import models as m

        def university_scope(university_id: int, province_id: str, centre=None, owner_user_id=None) -> policy.Scope:
            provinces = {province_id}
            if centre is not None:
                provinces.add(centre.host_province_id)
            return policy.Scope(
                provinces=frozenset(provinces),
                university_id=university_id,
                centre_id=centre.pk if centre is not None else None,
                owner_user_id=owner_user_id,
            )

        def with_centre(obj) -> policy.Scope:
            return university_scope(obj.university_id, obj.university.province_id, obj.centre)

        def university_only(obj) -> policy.Scope:
            return university_scope(obj.university_id, obj.university.province_id)

        policy.register_scope(m.EnrollmentPlan, with_centre)
        policy.register_scope(m.PublicityMaterial, with_centre)
        policy.register_scope(m.AdvertiserAuthorisation, with_centre)
        policy.register_scope(m.AdmissionsCharter, university_only)
        policy.register_scope(m.Announcement, university_only)
        policy.register_scope(m.ExamSession, university_only)
        policy.register_scope(m.CapacityRule, university_only)
        policy.register_scope(m.FteConfig, university_only)
        policy.register_scope(
            m.Applicant,
            lambda a: university_scope(a.university_id, a.university.province_id, a.centre, a.user_id),
        )
        policy.register_scope(m.PriorQualification, lambda q: policy.scope_of(q.applicant))
        policy.register_scope(m.StudentRecord, lambda s: policy.scope_of(s.applicant))
        policy.register_scope(m.Invoice, lambda i: policy.scope_of(i.applicant))
