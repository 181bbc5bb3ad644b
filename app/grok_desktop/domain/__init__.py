"""Plain data and pure functions: conversations, messages, usage, prices. No I/O, no Qt."""
