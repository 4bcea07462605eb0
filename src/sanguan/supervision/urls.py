from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("sanctions/", views.issue, name="issue"),
    path("sanctions/<int:pk>/lift/", views.lift, name="lift"),
]
