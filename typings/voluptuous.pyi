# Types of `import voluptuous` as Home Assistant runs it: since 2026.9 the name
# is an alias of probatio (homeassistant/__init__.py), whose schemas Home
# Assistant's own signatures expect. On 2026.8 it is voluptuous, with the same API.
from probatio import *  # noqa: F403  # its whole public API, as the alias gives
