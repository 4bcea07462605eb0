from django.urls import path

from . import views

app_name = "teaching"

urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/new-version/", views.programme_new_version, name="programme_new_version"),
    path("programmes/<int:pk>/standing/", views.programme_standing, name="programme_standing"),
    path("programmes/<int:pk>/courses/", views.course_add, name="course_add"),
    path("programmes/<int:pk>/courses/<int:course_pk>/", views.course_edit, name="course_edit"),
    path("programmes/<int:pk>/courses/<int:course_pk>/remove/", views.course_remove, name="course_remove"),
    path("programmes/<int:pk>/submit/", views.programme_submit, name="programme_submit"),
    path("programmes/<int:pk>/approve/", views.programme_approve, name="programme_approve"),
    path("offerings/new/", views.offering_new, name="offering_new"),
    path("offerings/<int:pk>/", views.offering, name="offering"),
    path("offerings/<int:pk>/edit/", views.offering_edit, name="offering_edit"),
    path("offerings/<int:pk>/enrolments/", views.enrolments, name="enrolments"),
    path(
        "offerings/<int:pk>/enrolments/<int:enrolment_pk>/withdraw/",
        views.enrolment_withdraw,
        name="enrolment_withdraw",
    ),
    path("offerings/<int:pk>/sessions/", views.session_schedule, name="session_schedule"),
    path("offerings/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("sessions/<int:pk>/code/", views.room_code, name="room_code"),
    path("sessions/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("warnings/<int:pk>/", views.warning, name="warning"),
    path("brushing/", views.brushing_list, name="brushing_list"),
    path("brushing/<int:pk>/", views.brushing, name="brushing"),
    path("dashboard/university/<int:pk>/", views.dashboard_university, name="dashboard_university"),
    path("dashboard/centre/<int:pk>/", views.dashboard_centre, name="dashboard_centre"),
    path("dashboard/offering/<int:pk>/", views.dashboard_offering, name="dashboard_offering"),
]
