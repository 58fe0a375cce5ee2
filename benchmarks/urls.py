"""
URLs of the benchmarks: the plugin's (as the tests mount them) plus the floor views.
"""
from django.urls import include, path

from benchmarks import floors
from test_urls import urlpatterns as plugin_urlpatterns

urlpatterns = [
    path("bench-floor/profiles/<str:username>/", floors.ProfileFloorView.as_view(), name="bench-floor-profile"),
    path("bench-floor/hall-of-fame/", floors.hall_of_fame_floor, name="bench-floor-hall-of-fame"),
    # As deep in includes as the plugin's documents (the root include, then the plugin's own).
    path("", include([path("bench-floor/", include([
        path("not-modified/", floors.not_modified_floor, name="bench-floor-not-modified")]))])),
    *plugin_urlpatterns,
]
