"""
A minimal host project that loads the plugin the way the LMS does, for the demo site.
"""
