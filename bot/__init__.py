"""pia-assistant: answering engine (retrieval, checker, reports) and its adapters (CLI, Slack)."""

__version__ = "0.1.0"
