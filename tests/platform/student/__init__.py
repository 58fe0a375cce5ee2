"""A stand-in for edx-platform's ``student`` app: only ``UserProfile``."""
