"""
URLs of the plugin's REST API, mounted at ``/api/distinguished/``.
"""
from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("v1/", include("openedx_distinguished.rest_api.v1.urls")),
]
