"""
URLs of the demo host: the admin, sign-in for the browsable API, and every plugin's URLs.
"""
from django.contrib import admin
from django.urls import include, path
from edx_django_utils.plugins import get_plugin_url_patterns

from demo.demo_site.views import home

urlpatterns = [
    path("", home, name="demo-home"),
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
] + get_plugin_url_patterns("lms.djangoapp")
