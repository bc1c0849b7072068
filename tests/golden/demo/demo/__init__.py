"""The demo service."""

DESCRIPTION = ""
