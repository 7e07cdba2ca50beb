"""Tests of the SMSGateway24 client, against the simulator and canned answers."""
