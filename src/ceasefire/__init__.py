"""Ceasefire Monitor."""
