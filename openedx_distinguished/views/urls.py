"""
URLs of the public pages, mounted at ``/distinguished/``.
"""
from django.urls import path

from . import pages

app_name = "pages"

urlpatterns = [
    path("", pages.program_overview, name="program"),
]
