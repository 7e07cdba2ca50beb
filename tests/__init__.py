"""Tests of SMSGateway24 for Home Assistant."""
