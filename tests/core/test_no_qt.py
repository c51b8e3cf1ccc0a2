"""The core must import and work with PySide6 unavailable (STYLE.md: the core knows no screen)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_core_imports_without_pyside6() -> None:
    code = textwrap.dedent(
        """
        import importlib, pkgutil, sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "PySide6" or name.startswith("PySide6."):
                    raise ImportError("PySide6 is blocked in this test")
                return None

        sys.meta_path.insert(0, Block())
        import briefreader.core as core
        names = [m.name for m in pkgutil.walk_packages(core.__path__, "briefreader.core.")]
        for name in names:
            importlib.import_module(name)
        import briefreader.cli
        assert not any(m.startswith("PySide6") for m in sys.modules), "PySide6 got imported"
        print(len(names))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 6  # brief, parse, render, glossary, match, index, library


def test_only_index_package_imports_whoosh() -> None:
    from pathlib import Path

    import briefreader

    root = Path(briefreader.__file__).parent
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if p.parent.name != "index"
        and ("import whoosh" in p.read_text() or "from whoosh" in p.read_text())
    ]
    assert offenders == []
