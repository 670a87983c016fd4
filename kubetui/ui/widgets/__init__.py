"""Widgets the screens are built of."""
