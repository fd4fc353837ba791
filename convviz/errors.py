"""The one family of errors convviz raises for bad input: each is a :class:`ConvvizValueError`.

A :class:`ConvvizValueError` is a :class:`ValueError` whose message is a sentence a student can act on, so a
page needs one ``except ConvvizValueError`` around a call to show it; the subclasses say which concept
refused (catch one of them only where the reaction differs, e.g. a refused link keeps the page's state).

Examples
--------
>>> from convviz import conv2d
>>> import numpy as np
>>> try:
...     conv2d(np.zeros((4, 4, 3), np.float32), np.zeros((1, 3, 3, 2), np.float32))
... except ConvvizValueError as err:
...     print(type(err).__name__)
ConvvizValueError
"""

from __future__ import annotations

__all__ = [
    "ArchitectureError", "BankError", "BudgetError", "ConvvizValueError", "ImageError", "ModelFileError",
    "SettingsError", "ShareError",
]


class ConvvizValueError(ValueError):
    """A bad argument to a ``convviz`` function; the message is a sentence a student can act on."""


class BudgetError(ConvvizValueError):
    """The work asked for is above a compute or memory budget; the message says what to make smaller."""


class SettingsError(ConvvizValueError):
    """A setting is out of range or of the wrong type; the message says which and what is allowed."""


class BankError(ConvvizValueError):
    """A filter bank, a bank file or a shared link is not valid; the message is a sentence for the user."""


class ShareError(ConvvizValueError):
    """A shared link cannot be read; the message says which parameter and why."""


class ImageError(ConvvizValueError):
    """A file that intake cannot turn into an image; the message is a sentence for the user.

    Every sentence it can say is written in :mod:`convviz.image.errors`.
    """


class ModelFileError(ConvvizValueError):
    """The model's weights or manifest are missing, damaged, or do not match each other."""


class ArchitectureError(ConvvizValueError):
    """A spec that cannot describe a network: an unknown layer type, a bad value, or a shape that fails."""
