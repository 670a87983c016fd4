"""Pure rendering: API objects (plain dicts) in, rows and text out.

This package is a leaf: it imports nothing else from kubetui, so both the UI and the
simulated cluster's server-side Tables can use the same kubectl printing rules.
"""
