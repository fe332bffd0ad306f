"""scripts/code_metrics.py reports each limit it checks, on small synthetic packages.

The script is loaded and its ``main`` called in-process (a unit test starts no process).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..support.paths import ROOT

SCRIPT = ROOT / "scripts" / "code_metrics.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("code_metrics", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


METRICS = _load()


@dataclass(frozen=True)
class Result:
    """What the script printed and the exit status it returned."""

    returncode: int
    stdout: str


def _run(package: Path, *options: str) -> Result:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = METRICS.main([str(package), *options])
    return Result(code, out.getvalue())


def _write(package: Path, files: dict[str, str]) -> Path:
    package.mkdir()
    for name, source in files.items():
        (package / name).write_text(textwrap.dedent(source), encoding="utf-8")
    return package


def _long_function(code_lines: int) -> str:
    """A function of exactly ``code_lines`` lines of code, padded with what is not counted."""
    body = "\n".join(f"    x{i} = {i}" for i in range(code_lines - 2))
    return (
        f'def long():\n    """Docstring,\n\n    over several lines."""\n\n'
        f"    # a comment-only line\n{body}\n\n    return x0\n"
    )


CLEAN = {
    "__init__.py": "",
    "a.py": """\
        from __future__ import annotations

        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from .b import B


        class A:
            def method(self, a, b, c, d, e, *, f=1):
                return a

            @classmethod
            def build(cls, a, b, c, d, e):
                return cls()


        def five(a, b, c, d, e, *rest, g=0, **options):
            return a
        """,
    "b.py": "class B:\n    pass\n",
}


def test_clean_package_exits_zero(tmp_path: Path) -> None:
    package = _write(tmp_path / "pkg", {**CLEAN, "c.py": _long_function(40)})
    result = _run(package)
    assert result.returncode == 0, result.stdout
    assert "longest function: 40 lines, long (pkg/c.py:1)" in result.stdout
    assert "most positional parameters (self/cls not counted): 5" in result.stdout
    assert "# fmt: skip markers: 0" in result.stdout
    assert "import cycles (TYPE_CHECKING imports included): 0" in result.stdout


def test_each_violation_is_listed_and_exits_one(tmp_path: Path) -> None:
    files = {
        "__init__.py": "",
        "long.py": _long_function(41),
        "wide.py": "def six(a, b, c, d, e, f, /):\n    return a\n",
        "skip.py": "X = [1,2]  # fmt: skip\n",
        "off.py": "# fmt: off\nY = [1,2]\n# fmt: on\n",
        # a -> b at run time, b -> a only for the type checker: still a cycle.
        "a.py": "from pkg import b\n",
        "b.py": (
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .a import thing\n"
        ),
    }
    result = _run(_write(tmp_path / "pkg", files))
    assert result.returncode == 1
    out = result.stdout
    assert "too long: long (pkg/long.py:1) has 41 lines of code (limit 40)" in out
    assert "too many positional parameters: six (pkg/wide.py:1) takes 6 (limit 5)" in out
    assert "# fmt: skip: pkg/skip.py:1" in out
    assert "# fmt: skip: pkg/off.py:1" in out  # a block opted out counts as well
    assert "import cycle: pkg.a -> pkg.b -> pkg.a" in out
    assert "5 over the limits" in out


def test_nested_and_method_names_are_reported(tmp_path: Path) -> None:
    source = """\
        class Outer:
            def method(self, a, b, c, d, e, f):
                def inner(a, b, c, d, e, f, g):
                    return a
                return inner
        """
    result = _run(_write(tmp_path / "pkg", {"__init__.py": "", "m.py": source}))
    assert result.returncode == 1
    assert "Outer.method (pkg/m.py:2) takes 6" in result.stdout
    assert "Outer.method.inner (pkg/m.py:3) takes 7" in result.stdout


def test_fmt_skip_in_another_folder_counts(tmp_path: Path) -> None:
    package = _write(tmp_path / "pkg", {"__init__.py": ""})
    tests = _write(tmp_path / "tests", {"test_x.py": "X = [1,2]  # fmt: skip\n"})
    assert _run(package).returncode == 0  # another folder counts only when it is named
    result = _run(package, "--fmt-skip-also", str(tests))
    assert result.returncode == 1
    assert "# fmt: skip markers: 1" in result.stdout
    assert "# fmt: skip: tests/test_x.py:1" in result.stdout


def test_the_default_run_counts_the_tests_too() -> None:
    assert METRICS.DEFAULT_ALSO == (ROOT / "tests",)
    assert METRICS.DEFAULT_PACKAGE == ROOT / "src" / "articleaudio"
