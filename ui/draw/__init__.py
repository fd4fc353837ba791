"""Arrays in, pictures, figures and HTML out: the drawing helpers every page shares.

Nothing here reads or writes session state.
"""

__all__ = ["figures", "grids", "pictures", "volume3d"]
