"""
The URL configuration the OpenAPI schema is generated from: only this plugin's v1 API.
"""
from django.urls import include, path

urlpatterns = [
    path("api/distinguished/v1/", include("openedx_distinguished.rest_api.v1.urls")),
]
