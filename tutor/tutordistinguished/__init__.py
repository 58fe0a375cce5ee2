"""
tutor-contrib-distinguished: run the openedx-distinguished LMS plugin on a Tutor site.
"""
