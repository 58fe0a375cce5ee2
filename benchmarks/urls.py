"""
URLs of the benchmarks: the plugin's (as the tests mount them) plus the floor views.
"""
from django.urls import path

from benchmarks import floors
from test_urls import urlpatterns as plugin_urlpatterns

urlpatterns = [
    path("bench-floor/profiles/<str:username>/", floors.ProfileFloorView.as_view(), name="bench-floor-profile"),
    path("bench-floor/hall-of-fame/", floors.hall_of_fame_floor, name="bench-floor-hall-of-fame"),
    *plugin_urlpatterns,
]
