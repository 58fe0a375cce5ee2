"""
Demo-only pieces of the host project: the home page and the demo data command.
"""
