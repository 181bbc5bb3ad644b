"""Grok Desktop: a desktop assistant for xAI's Grok API."""

__version__ = "0.1.0"
APP_NAME = "Grok Desktop"
APP_ID = "grok-desktop"
