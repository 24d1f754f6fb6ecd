"""Local stand-ins for third-party services, served on loopback for tests."""
