from django.urls import path

from . import views

app_name = "teaching"

urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("programmes/<int:pk>/approve/", views.programme_approve, name="programme_approve"),
    path("offerings/<int:pk>/", views.offering, name="offering"),
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
