"""Helpers shared by the test suite (servers run in threads, ...). Not tests themselves."""
