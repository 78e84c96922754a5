"""Sandboxed autograder for 'Deep Learning for Physics Research'."""
__version__ = "0.1.0"
