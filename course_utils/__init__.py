"""Helpers for the gated-RNN course: graders, reference code, oracle, tools."""
__version__ = "0.1.0"
