"""Helpers shared by the test folders (a running hub, its settings); fakes of other services: tests/fakes."""
