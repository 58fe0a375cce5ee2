"""
The demo's home page (where to go, how to sign in) and its sign-in page, at /login as in the LMS.
"""
from django.contrib.auth.views import LoginView
from django.shortcuts import render

from demo.demo_site.accounts import DEMO_ACCOUNTS


def home(request):
    """List the demo's pages and accounts."""
    return render(request, "demo_site/home.html", {"accounts": DEMO_ACCOUNTS})


class DemoLoginView(LoginView):
    """Django's sign-in form, with every demo account a click away."""

    template_name = "demo_site/login.html"
    redirect_authenticated_user = False

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "accounts": DEMO_ACCOUNTS}
