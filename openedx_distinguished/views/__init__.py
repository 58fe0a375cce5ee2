"""
Server-rendered pages of the program (thin adapters over ``api.py``).
"""
