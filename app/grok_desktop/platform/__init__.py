"""OS edges: secrets, hotkeys, single instance, tray, screen capture, desktop entry."""
