"""Tests of the UBill client."""
