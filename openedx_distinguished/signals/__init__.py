"""
Events: the Open edX events this plugin listens to (``handlers``).
"""
