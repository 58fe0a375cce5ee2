"""
The version of the Tutor plugin (not of the openedx-distinguished package it installs).
"""

# The major version follows Tutor's, as Tutor plugins do: 22.x works with Tutor 22.
__version__ = "22.1.0"
