"""The server process: housekeeping that gives memory back, a limit on heavy work at once, built downloads,
pictures served by URL."""

from ui.server.busy import BUSY_MESSAGE, Busy, heavy_work
from ui.server.exports import Build, ExportFile, NoRoom, reserve, sweep, write_channels
from ui.server.housekeeping import collect, start
from ui.server.media import picture_url, previous_url

__all__ = ["BUSY_MESSAGE", "Build", "Busy", "ExportFile", "NoRoom", "collect", "heavy_work", "picture_url",
           "previous_url", "reserve", "start", "sweep", "write_channels"]
