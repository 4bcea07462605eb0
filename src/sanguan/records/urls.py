"""xAPI resources, mounted at /xapi/ (a trailing slash is accepted too)."""

from django.urls import re_path

from . import views

app_name = "records"

urlpatterns = [
    re_path(r"^statements/?$", views.statements, name="statements"),
    re_path(r"^activities/state/?$", views.state, name="state"),
    re_path(r"^activities/profile/?$", views.activity_profile, name="activity-profile"),
    re_path(r"^activities/?$", views.activities, name="activities"),
    re_path(r"^agents/profile/?$", views.agent_profile, name="agent-profile"),
    re_path(r"^agents/?$", views.agents, name="agents"),
    re_path(r"^about/?$", views.about, name="about"),
]
