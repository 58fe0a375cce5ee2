"""
The public program page.
"""
import pytest

pytestmark = pytest.mark.django_db


def test_program_page_shows_tracks_and_the_open_cycle(cycle, client):
    response = client.get("/distinguished/program/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Distinguished Engineer", "Distinguished Advocate", "Distinguished Innovator"):
        assert name in html
    assert "nominations are open" in html
    assert '<main id="main"' in html
    assert "https://cdn" not in html and "//cdn" not in html


def test_program_page_before_setup(db, client):
    response = client.get("/distinguished/program/")
    assert response.status_code == 200
    assert "has not been set up yet" in response.content.decode()
