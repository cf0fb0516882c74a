"""Fixtures shared by every test folder."""

pytest_plugins = ["tests.plugins.tools", "tests.plugins.postgres", "tests.plugins.gemini"]
