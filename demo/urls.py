"""
URLs of the demo host: its home and sign-in pages, the admin, sign-in for the browsable API, and
every plugin's URLs.
"""
from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path
from django.views.generic import RedirectView
from edx_django_utils.plugins import get_plugin_url_patterns

from demo.demo_site.mfe import login_refresh
from demo.demo_site.views import DemoLoginView, home

urlpatterns = [
    path("", home, name="demo-home"),
    path("login", DemoLoginView.as_view(), name="login"),
    path("logout", LogoutView.as_view(), name="logout"),
    path("login_refresh", login_refresh, name="login-refresh"),  # the MFEs' JWT cookies, as the LMS sets them
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    # The host's icon, as an LMS has one (browsers ask for it on every page).
    path("favicon.ico", RedirectView.as_view(url="/distinguished/badges/art/engineer.svg", permanent=True)),
] + get_plugin_url_patterns("lms.djangoapp")
