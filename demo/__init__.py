"""
A minimal host project that loads the plugin the way the LMS does, for the demo site.
"""
# The plugin's tasks (shared_task) use the current Celery app: make it the demo's.
from demo.celery_app import app as celery_app  # noqa: F401
