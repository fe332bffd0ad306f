"""Measure the house-style limits over a package and fail when one is exceeded.

Prints four numbers for the package (by default ``src/articleaudio``):

- the longest function, in lines of code: its ``def`` line through its last line, not
  counting the docstring, blank lines or lines holding only a comment;
- the function with the most positional parameters (positional-only plus ordinary
  parameters, without ``*args``, keyword-only parameters, or ``self``/``cls`` of a
  method: the receiver is not an argument a caller lines up by position);
- the number of ``# fmt: skip`` markers, in the package and in the folders given with
  ``--fmt-skip-also`` (by default, for the default package, the tests too: tests/);
- the import cycles among the package's own modules, counting every import statement,
  those under ``if TYPE_CHECKING:`` and inside functions included: a cycle hidden from
  the interpreter still shows a dependency pointing the wrong way.

Exits 1 and lists every violation when a number is over its limit (40 lines,
5 positional parameters, no ``# fmt: skip``, no cycles), 0 otherwise.

Usage: ``python scripts/code_metrics.py [PACKAGE_DIR] [--fmt-skip-also DIR ...]``
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 40
MAX_POSITIONAL = 5
MAX_FMT_SKIP = 0
MAX_CYCLES = 0
FMT_SKIP = "# fmt: skip"
FMT_OPT_OUTS = (FMT_SKIP, "# fmt: off")
"""Formatter opt-outs the count covers."""
DEFAULT_PACKAGE = Path(__file__).resolve().parent.parent / "src" / "articleaudio"
DEFAULT_ALSO = (Path(__file__).resolve().parent.parent / "tests",)
"""Where else a ``# fmt: skip`` counts when the default package is measured."""
_RECEIVERS = frozenset({"self", "cls"})

_Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class FunctionInfo:
    """One function or method found in the package."""

    qualname: str
    """Dotted name inside its module (``Class.method``, ``outer.inner``)."""
    path: Path
    """The file it is defined in."""
    line: int
    """The line of its ``def``."""
    code_lines: int
    """Lines of code, without docstring, blank and comment-only lines."""
    positional: int
    """Positional parameters, without ``self``/``cls`` of a method."""

    def where(self, root: Path) -> str:
        """``name (file:line)``, the file relative to ``root``."""
        return f"{self.qualname} ({self.path.relative_to(root)}:{self.line})"


@dataclass(frozen=True)
class Report:
    """Everything measured over one package."""

    functions: tuple[FunctionInfo, ...]
    """Every function and method, in file and line order."""
    fmt_skips: tuple[tuple[Path, int], ...]
    """Where each ``# fmt: skip`` marker is (file, line)."""
    cycles: tuple[tuple[str, ...], ...]
    """Each import cycle, as its modules in import order."""


def _code_line_numbers(source: str) -> set[int]:
    """Lines that hold a token other than a comment, newline or indentation."""
    skip = {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines


def _docstring_lines(node: _Function) -> set[int]:
    """The lines of the function's docstring, if it has one."""
    first = node.body[0]
    is_doc = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    if not is_doc or first.end_lineno is None:
        return set()
    return set(range(first.lineno, first.end_lineno + 1))


def _positional_count(node: _Function, *, is_method: bool) -> int:
    """Positional parameters a caller passes, without a method's receiver."""
    names = [arg.arg for arg in (*node.args.posonlyargs, *node.args.args)]
    is_static = any(
        isinstance(dec, ast.Name) and dec.id == "staticmethod" for dec in node.decorator_list
    )
    if is_method and not is_static and names and names[0] in _RECEIVERS:
        names = names[1:]
    return len(names)


def _walk_functions(
    parent: ast.AST, prefix: str, *, in_class: bool
) -> Iterator[tuple[str, _Function, bool]]:
    """Yield (qualname, node, is_method) for every function, nested ones included."""
    for node in ast.iter_child_nodes(parent):
        if isinstance(node, ast.ClassDef):
            yield from _walk_functions(node, f"{prefix}{node.name}.", in_class=True)
        elif isinstance(node, _Function):
            yield f"{prefix}{node.name}", node, in_class
            yield from _walk_functions(node, f"{prefix}{node.name}.", in_class=False)
        else:
            yield from _walk_functions(node, prefix, in_class=in_class)


def functions_in(path: Path) -> list[FunctionInfo]:
    """Measure every function defined in one source file."""
    source = path.read_text(encoding="utf-8")
    code = _code_line_numbers(source)
    found = []
    for qualname, node, is_method in _walk_functions(ast.parse(source), "", in_class=False):
        start = min([node.lineno, *(dec.lineno for dec in node.decorator_list)])
        span = set(range(start, (node.end_lineno or node.lineno) + 1))
        lines = len((span & code) - _docstring_lines(node))
        positional = _positional_count(node, is_method=is_method)
        found.append(FunctionInfo(qualname, path, node.lineno, lines, positional))
    return found


def fmt_skips_in(path: Path) -> list[tuple[Path, int]]:
    """Where ``# fmt: skip`` appears as a comment in one source file.

    ``# fmt: off`` counts too: it opts a whole block out of the formatter.
    """
    source = path.read_text(encoding="utf-8")
    return [
        (path, token.start[0])
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT and any(m in token.string for m in FMT_OPT_OUTS)
    ]


def _module_name(path: Path, package: Path) -> str:
    """The dotted module name of a file inside the package."""
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_names(tree: ast.Module, module: str, *, is_package: bool) -> Iterator[str]:
    """Every dotted name the module imports, relative imports resolved.

    ``from a import b`` yields ``a.b``: :func:`import_graph` takes it as the submodule
    ``a.b`` when there is one, else as ``a`` (``b`` is then a name in it). So a module's
    ``from . import sibling`` is an edge to the sibling, not to its package, as grimp
    (import-linter) sees it.
    """
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base_parts = here[: len(here) - node.level + 1] if node.level else []
            base = ".".join([*base_parts, *([node.module] if node.module else [])])
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports (parent packages count as imported)."""
    files = {_module_name(path, package): path for path in sorted(package.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set()
        for name in _imported_names(tree, module, is_package=path.name == "__init__.py"):
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of the graph, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            step = next(successors, None)
            if step is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
            elif step not in index:
                index[step] = low[step] = len(index)
                stack.append(step)
                on_stack.add(step)
                work.append((step, iter(sorted(graph[step]))))
            elif step in on_stack:
                low[node] = min(low[node], index[step])
    return components


def _cycle_through(start: str, members: set[str], graph: dict[str, set[str]]) -> tuple[str, ...]:
    """One shortest cycle from ``start`` back to itself inside a component (BFS)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for step in sorted(graph[node] & members):
                if step == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return (*reversed(path), start)
                if step not in previous:
                    previous[step] = node
                    following.append(step)
        frontier = following
    return (start,)


def import_cycles(package: Path) -> list[tuple[str, ...]]:
    """One cycle per module that lies on a cycle, each cycle reported once."""
    graph = import_graph(package)
    cycles: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for component in _strongly_connected(graph):
        if len(component) < 2:
            continue
        for module in component:
            cycle = _cycle_through(module, set(component), graph)
            key = tuple(sorted(set(cycle)))
            if key not in seen:
                seen.add(key)
                cycles.append(cycle)
    return cycles


def measure(package: Path, also: tuple[Path, ...] = ()) -> Report:
    """Measure every source file of the package; count ``# fmt: skip`` in ``also`` too."""
    paths = sorted(package.rglob("*.py"))
    skipped = [*paths, *(path for folder in also for path in sorted(folder.rglob("*.py")))]
    return Report(
        functions=tuple(info for path in paths for info in functions_in(path)),
        fmt_skips=tuple(hit for path in skipped for hit in fmt_skips_in(path)),
        cycles=tuple(import_cycles(package)),
    )


def violations(report: Report, root: Path) -> list[str]:
    """One line for each thing over its limit."""
    found = [
        f"too long: {info.where(root)} has {info.code_lines} lines of code (limit {MAX_LINES})"
        for info in report.functions
        if info.code_lines > MAX_LINES
    ]
    found += [
        f"too many positional parameters: {info.where(root)} takes {info.positional} "
        f"(limit {MAX_POSITIONAL})"
        for info in report.functions
        if info.positional > MAX_POSITIONAL
    ]
    if len(report.fmt_skips) > MAX_FMT_SKIP:
        found += [f"{FMT_SKIP}: {path.relative_to(root)}:{line}" for path, line in report.fmt_skips]
    if len(report.cycles) > MAX_CYCLES:
        found += [f"import cycle: {' -> '.join(cycle)}" for cycle in report.cycles]
    return found


def summary(report: Report, root: Path) -> list[str]:
    """The four numbers, one line each."""
    lines = []
    if report.functions:
        longest = max(report.functions, key=lambda info: info.code_lines)
        widest = max(report.functions, key=lambda info: info.positional)
        lines.append(f"longest function: {longest.code_lines} lines, {longest.where(root)}")
        lines.append(
            f"most positional parameters (self/cls not counted): {widest.positional}, "
            f"{widest.where(root)}"
        )
    lines.append(f"{FMT_SKIP} markers: {len(report.fmt_skips)}")
    lines.append(f"import cycles (TYPE_CHECKING imports included): {len(report.cycles)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the numbers; list violations and return 1 when any limit is exceeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", type=Path, default=DEFAULT_PACKAGE)
    parser.add_argument(
        "--fmt-skip-also",
        action="append",
        type=Path,
        metavar="DIR",
        help="another folder whose # fmt: skip markers count (default: tests/ for the "
        "default package)",
    )
    args = parser.parse_args(argv)
    package = args.package.resolve()
    chosen = args.fmt_skip_also
    if chosen is None:
        chosen = DEFAULT_ALSO if package == DEFAULT_PACKAGE else ()
    also = tuple(folder.resolve() for folder in chosen)
    # Paths are shown from the folder that holds them all (the clone, with tests/).
    root = Path(os.path.commonpath([package.parent, *also]))
    report = measure(package, also)
    print("\n".join(summary(report, root)))
    problems = violations(report, root)
    if problems:
        print(f"\n{len(problems)} over the limits:")
        print("\n".join(f"  {problem}" for problem in problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
