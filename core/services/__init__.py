"""Writes that carry rules, one module per concept. Import from the modules."""
