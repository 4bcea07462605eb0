from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("universities/", views.universities, name="universities"),
    path("universities/<str:code>/", views.university, name="university"),
    path("centres/", views.centres, name="centres"),
    path("check/", views.check, name="check"),
]
