"""Tests of the simulator of the SMSGateway24 cloud."""
