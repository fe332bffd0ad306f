"""The extraction benchmark (benchmarks/bench_extract.py): means by kind and language, worst 5."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ..support.paths import DATA

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_extract.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_extract", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """Three cases: a German copy named xx-…, an HTML page whose meta.json says French,
    and an unreadable page with no language at all (it is refused and scores 0)."""
    shutil.copytree(DATA / "extract" / "de-copy-bahn", tmp_path / "de-copy-bahn")
    page = tmp_path / "10-html-page"
    page.mkdir()
    source = DATA / "extract" / "es-html-incendio"
    shutil.copy(next(source.glob("input.*")), page / "page.html")
    shutil.copy(source / "expected.txt", page / "expected_body.txt")
    (page / "meta.json").write_text(json.dumps({"language": "fr"}), encoding="utf-8")
    empty = tmp_path / "20-empty"
    empty.mkdir()
    (empty / "page.txt").write_text("Menu\n\nHome\n", encoding="utf-8")
    (empty / "expected_body.txt").write_text("A headline\n\nA body.", encoding="utf-8")
    return tmp_path


def test_summary_gives_means_by_kind_and_language_and_the_worst(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rows.json"
    argv = ["--data", str(cases), "--no-baseline", "--summary-only", "--json", str(out)]
    assert _bench().main(argv) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert "== summary: 3 cases" in printed
    assert any(line.startswith("copy  de ") for line in lines)
    assert any(line.startswith("html  fr ") for line in lines)
    assert any(line.startswith("copy  ?  ") for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("worst 3"))
    worst = lines[start + 3 :]
    assert worst[0].startswith("20-empty") and worst[0].endswith("0.000  0.000  0.000")
    rows = {row["case"]: row for row in json.loads(out.read_text(encoding="utf-8"))}
    assert rows["10-html-page"]["kind"] == "html" and rows["10-html-page"]["lang"] == "fr"
    assert rows["de-copy-bahn"]["kind"] == "copy" and rows["de-copy-bahn"]["lang"] == "de"
    assert rows["de-copy-bahn"]["articleaudio"]["f1"] == 1.0
