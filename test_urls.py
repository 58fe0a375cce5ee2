"""
URLs used by the test suite (ROOT_URLCONF of test_settings).
"""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include(("openedx_distinguished.urls", "openedx_distinguished"), namespace="openedx_distinguished")),
]
