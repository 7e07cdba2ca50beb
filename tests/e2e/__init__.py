"""End-to-end tests: the simulator and a real Home Assistant, run as processes."""
