"""What the bot learns from: customer feedback on FAQ answers, agents' labels and implicit signals, stored
as rows (docs/learning.md) and exported as labelled queries (``python -m learning export``)."""
