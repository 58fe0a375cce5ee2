"""A stand-in for edx-platform's ``user_api`` app: only ``UserPreference``."""
