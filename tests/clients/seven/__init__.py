"""Tests of the seven.io client."""
