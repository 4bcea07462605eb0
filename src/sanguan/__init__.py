"""Sanguan (三关): the entrance, process and exit gates of online higher education.

The Django project lives in this package; ``sanguan.similarity`` is a standalone library
that never imports Django.
"""

__version__ = "0.1.0"
