"""
URLs the LMS mounts at its root through the plugin framework: the REST API and the public pages.
"""
from django.urls import include, path

urlpatterns = [
    path("api/distinguished/", include("openedx_distinguished.rest_api.urls")),
    path("distinguished/", include("openedx_distinguished.views.urls")),
]
