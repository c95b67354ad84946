"""Instructor: the class live, the smoke test and the pause switch (classroom mode only)."""

from aoai_lab.classroom import instructor
from aoai_lab.ui import frame

frame.leave_legacy_pages_mode()

instructor.render()
