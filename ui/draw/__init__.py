"""Arrays in, pictures, figures and HTML out: the drawing helpers every page shares.

Nothing here reads or writes session state.
"""

__all__ = ["colours", "describe", "figures", "grids", "map_figures", "pictures", "volume3d"]
