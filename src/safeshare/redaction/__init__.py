"""Masking and disclosure control for what each audience may see."""
