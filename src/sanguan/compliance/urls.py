from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("findings/", views.findings, name="findings"),
    path("findings/<int:pk>/", views.finding, name="finding"),
    path("findings/<int:pk>/<slug:transition>/", views.finding_transition, name="transition"),
    path("run/", views.run, name="run"),
    path("rules/", views.rules, name="rules"),
]
