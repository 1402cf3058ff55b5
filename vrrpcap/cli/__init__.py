"""The vrrpcap command line (typer): app.py wires the commands, one module per command, shared options
in options.py, safe outputs in outputs.py, the capture -> analysis wiring in run.py."""

from vrrpcap.cli.app import app, main

__all__ = ["app", "main"]
