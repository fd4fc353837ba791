"""Words every page uses the same way, stated once here.

Counting: every row, column, filter, map and step the app shows is counted from 1 (the top-left number of
a grid is row 1, column 1), as a class counts; code and files (NumPy arrays, ``.npy`` downloads) keep their
0-based indices. Each page where coordinates appear states :data:`COUNTING` once.
"""

from __future__ import annotations

COUNTING = ("Rows and columns are counted from 1, like filters and maps: the top-left number of a grid is "
            "row 1, column 1.")
