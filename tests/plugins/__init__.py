"""Pytest plugins shared by every test folder."""
