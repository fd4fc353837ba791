"""The server process: housekeeping that gives memory back, a limit on heavy work at once, built downloads."""

from ui.server.busy import BUSY_MESSAGE, Busy, heavy_work
from ui.server.exports import Build, ExportFile, NoRoom, reserve, sweep, write_channels
from ui.server.housekeeping import collect, start

__all__ = ["BUSY_MESSAGE", "Build", "Busy", "ExportFile", "NoRoom", "collect", "heavy_work", "reserve",
           "start", "sweep", "write_channels"]
