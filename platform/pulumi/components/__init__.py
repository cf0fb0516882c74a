"""Typed building blocks of the extra environments; each one is a Pulumi ComponentResource."""
