"""
The demo's home page: where to go and how to sign in.
"""
from django.shortcuts import render

from demo.demo_site.accounts import DEMO_ACCOUNTS


def home(request):
    """List the demo's pages and accounts."""
    return render(request, "demo_site/home.html", {"accounts": DEMO_ACCOUNTS})
