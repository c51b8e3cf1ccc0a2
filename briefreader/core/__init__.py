"""The Qt-free core of briefreader: parsing, glossary, matching, index and search.

Nothing under this package may import PySide6; ``tests/core/test_no_qt.py`` enforces it.
"""
