"""The layout mutator: each sample's content rendered in many real-world layouts (see test_layout_invariance.py)."""
