"""Evaluation of retrieval, finding attribution and draft flags against the project's own labelled sets."""
