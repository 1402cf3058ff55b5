"""Renderers: a Report in, text or a machine format out. No analysis happens here."""
