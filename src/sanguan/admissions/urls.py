from django.urls import path

from . import views

app_name = "admissions"

urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.register, name="register"),
    path("register/self/", views.register_self, name="register_self"),
    path("applicants/<int:pk>/", views.applicant, name="applicant"),
    path("applicants/<int:pk>/verify/", views.verify, name="verify"),
    path("applicants/<int:pk>/score/", views.score, name="score"),
    path("applicants/<int:pk>/review/", views.review, name="review"),
    path("applicants/<int:pk>/decide/", views.decide, name="decide"),
    path("applicants/<int:pk>/post-review/", views.post_review, name="post_review"),
    path("applicants/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("students/<int:pk>/", views.student, name="student"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/<slug:step>/", views.plan_step, name="plan_step"),
    path("publicity/new/", views.publicity_submit, name="publicity_submit"),
    path("publicity/<int:pk>/", views.publicity, name="publicity"),
    path("bulk/", views.bulk, name="bulk"),
    path("office/", views.office, name="office"),
    path("charters/<int:pk>/<slug:step>/", views.charter_step, name="charter_step"),
    path("applicants/<int:pk>/tuition/<slug:step>/", views.tuition, name="tuition"),
    path("export/applicants.xlsx", views.export, name="export"),
    path("public/", views.public_index, name="public"),
    path("public/charters/<int:pk>/", views.public_charter, name="public_charter"),
    path("public/announcements/<int:pk>/", views.public_announcement, name="public_announcement"),
    path("public/verify/", views.public_verify, name="public_verify"),
    path("public/signup/", views.public_signup, name="public_signup"),
]
