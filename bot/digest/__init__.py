"""Digests: selecting, ranking and rendering stories for a subscriber."""
