"""The server process: housekeeping that gives memory back, and a limit on heavy work at once."""

from ui.server.busy import BUSY_MESSAGE, Busy, heavy_work
from ui.server.housekeeping import collect, start

__all__ = ["BUSY_MESSAGE", "Busy", "collect", "heavy_work", "start"]
