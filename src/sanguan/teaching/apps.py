from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeachingConfig(AppConfig):
    name = "sanguan.teaching"
    label = "teaching"
    verbose_name = _("Teaching")

    def ready(self) -> None:
        from sanguan.accounts import policy

        from . import models as m

        def scope(university, centre=None, owner_user_id=None) -> policy.Scope:
            provinces = {university.province_id}
            if centre is not None:
                provinces.add(centre.host_province_id)
            return policy.Scope(
                provinces=frozenset(provinces),
                university_id=university.pk,
                centre_id=centre.pk if centre is not None else None,
                owner_user_id=owner_user_id,
            )

        policy.register_scope(m.TrainingProgramme, lambda p: scope(p.university))
        policy.register_scope(m.ProgrammeCourse, lambda c: scope(c.programme.university))
        policy.register_scope(m.Offering, lambda o: scope(o.university, o.centre))
        policy.register_scope(m.FaceToFaceSession, lambda s: policy.scope_of(s.offering))
        policy.register_scope(m.LiveSession, lambda s: policy.scope_of(s.offering))
        policy.register_scope(m.Enrolment, lambda e: scope(e.offering.university, e.offering.centre, e.student.user_id))
        policy.register_scope(m.WarningRule, lambda r: scope(r.university))
        policy.register_scope(m.EarlyWarning, lambda w: policy.scope_of(w.enrolment))
        policy.register_scope(m.BrushingAssessment, lambda a: scope(a.university, a.centre))
