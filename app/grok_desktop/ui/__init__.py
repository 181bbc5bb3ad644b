"""Qt widgets and view helpers of the desktop client."""
