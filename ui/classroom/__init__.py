"""The classroom: lesson links (the page, photo, filters, settings and hidden controls in one URL), their
QR codes, and presenter mode for a projector.

``app.py`` calls :func:`ui.classroom.frame.start` and :func:`ui.classroom.frame.bar`; pages ask
:func:`ui.classroom.frame.shows` before drawing a control a lesson may hide.
"""

from ui.classroom.frame import presenting, shows
from ui.classroom.lesson import HIDEABLE, Lesson, lesson_params, read_lesson
from ui.classroom.qr import qr_png

__all__ = ["HIDEABLE", "Lesson", "lesson_params", "presenting", "qr_png", "read_lesson", "shows"]
