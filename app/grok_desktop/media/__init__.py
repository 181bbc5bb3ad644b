"""Image preparation for the API (Pillow, no Qt)."""
