"""A stand-in for the SMSGateway24 cloud and its gateway phones, for tests and demos.

It serves the provider's `/getdata/<method>` API from an in-memory world, plus a
control API under `/_sim/` to make phones receive messages, go offline or fail.
"""

from .app import SIMULATOR_KEY, create_app
from .clock import Clock, ManualClock, SystemClock
from .demo import DEMO_EMAIL, DEMO_PASSWORD, build_demo, populate_demo
from .models import Sim, Status
from .state import Simulator

__all__ = [
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "SIMULATOR_KEY",
    "Clock",
    "ManualClock",
    "Sim",
    "Simulator",
    "Status",
    "SystemClock",
    "build_demo",
    "create_app",
    "populate_demo",
]
