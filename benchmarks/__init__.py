"""
Benchmarks of the plugin: each case against a floor measured in the same run (``make bench``).
"""
