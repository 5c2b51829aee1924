"""Synthetic training data: chest phantoms (CT + DRR + report) and report tagging."""
