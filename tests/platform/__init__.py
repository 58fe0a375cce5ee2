"""
Stand-ins for the two tables of edx-platform the plugin reads (test_settings_lms): the learner's
profile with their full name, and their preferences. Same app labels, model names, fields and
accessors as the LMS's; nothing else of the platform.
"""
