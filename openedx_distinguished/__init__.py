"""
An Open edX LMS plugin that runs a Distinguished Contributor recognition program.
"""

__version__ = "0.2.0"
