"""
App config of the demo host's own app.
"""
from django.apps import AppConfig


class DemoSiteConfig(AppConfig):
    """The demo host's home page and its demo-data command."""

    name = "demo.demo_site"
    label = "demo_site"
