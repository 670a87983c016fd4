"""Screens: one per module, each a whole view or a modal."""
