"""Sign-in and sign-out pages. Django's auth views do the work: argon2 hashes, django-axes
counts failures and shows ``accounts/locked_out.html`` once a username is locked."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link cannot sign anybody out."""
