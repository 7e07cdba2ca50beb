"""Async clients of the providers' APIs, one package or module each.

They need only aiohttp: none imports Home Assistant, and each could be
published on its own.
"""
