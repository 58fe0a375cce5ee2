"""
An Open edX LMS plugin that runs a Distinguished Contributor recognition program.
"""

__version__ = "0.1.0"
