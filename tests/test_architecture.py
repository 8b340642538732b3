"""The import graph: no cycles anywhere, and no import from a lower layer into a higher one.

Every import counts, at module level or inside a function, and under
``TYPE_CHECKING`` too: a hidden edge is still an edge.  The layers, lowest
first, are listed in LAYERS; docs/architecture.md explains each.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("safeguard_tracker", "tui")

# Lowest first.  A module may import its own layer or any lower one; a layer's modules must not
# form a cycle.  The first matching prefix places a module.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("safeguard_tracker.errors", "safeguard_tracker.text", "safeguard_tracker.signals",
                    "safeguard_tracker.documents", "safeguard_tracker.folding", "safeguard_tracker.deprecation", "safeguard_tracker.schemas",
                    "safeguard_tracker.references", "safeguard_tracker.progress")),
    ("vocabularies and dates", ("safeguard_tracker.dates", "safeguard_tracker.taxonomy", "safeguard_tracker.short_names",
                                "safeguard_tracker.vocab")),
    ("model", ("safeguard_tracker.model", "safeguard_tracker.convert")),
    ("validation", ("safeguard_tracker.validation",)),
    ("store", ("safeguard_tracker.store",)),
    ("files in and out, rendering", ("safeguard_tracker.io", "safeguard_tracker.reports")),
    ("context and outputs", ("safeguard_tracker.context", "safeguard_tracker.outputs")),
    ("services", ("safeguard_tracker.lado", "safeguard_tracker.plans", "safeguard_tracker.local_lists")),
    ("chase list", ("safeguard_tracker.chase",)),
    ("face", ("safeguard_tracker.tracker", "safeguard_tracker")),
    ("demo", ("safeguard_tracker.demo",)),
    ("TUI", ("tui",)),
    ("CLI", ("safeguard_tracker.cli", "safeguard_tracker.__main__")),
]
# Pairs in one layer that must stay apart: the two areas share only what lies beneath them.
APART = [("safeguard_tracker.lado", "safeguard_tracker.plans"), ("safeguard_tracker.plans", "safeguard_tracker.lado")]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports, wherever the import statement stands."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)]
                mod = ".".join(anchor + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def layer_of(name: str) -> int:
    best = None
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or name.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (rank, len(prefix))
    assert best is not None, f"{name} is in no layer: add it to LAYERS in {Path(__file__).name}"
    return best[0]


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_layer():
    for name in modules():
        layer_of(name)


def layer_violations(g: dict[str, set[str]]) -> list[str]:
    return [f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
            for a, targets in sorted(g.items()) for b in sorted(targets) if layer_of(b) > layer_of(a)]


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def area_violations(g: dict[str, set[str]]) -> list[str]:
    return [f"{a} imports {b}" for a, targets in sorted(g.items()) for b in sorted(targets)
            for x, y in APART if _under(a, x) and _under(b, y)]


def test_there_is_no_import_cycle():
    assert cycles(graph()) == []


def test_no_module_imports_a_higher_layer():
    assert layer_violations(graph()) == []


def test_the_two_areas_share_only_what_lies_beneath_them():
    assert area_violations(graph()) == []


def test_the_tui_never_imports_the_cli():
    wrong = [f"{a} imports {b}" for a, targets in graph().items() if a.startswith("tui")
             for b in targets if b.startswith("safeguard_tracker.cli")]
    assert wrong == []


@pytest.mark.parametrize("edge, check", [
    (("safeguard_tracker.store.file_store", "safeguard_tracker.lado.privacy"), layer_violations),
    (("safeguard_tracker.model.contact", "safeguard_tracker.tracker"), layer_violations),
    (("safeguard_tracker.lado.contacts", "safeguard_tracker.plans.reviews"), area_violations),
])
def test_the_checks_notice_a_forbidden_edge(edge, check):
    """The rules above are live: an edge that reaches up or across is reported by name."""
    a, b = edge
    g = graph()
    assert check(g) == []
    g[a] = g[a] | {b}
    assert any(a in line and b in line for line in check(g))


def test_a_cycle_is_noticed():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(g) == [["a", "b", "c"]]
    g = graph()
    g["safeguard_tracker.dates"] = g["safeguard_tracker.dates"] | {"safeguard_tracker.taxonomy"}
    g["safeguard_tracker.taxonomy"] = g["safeguard_tracker.taxonomy"] | {"safeguard_tracker.dates"}
    assert ["safeguard_tracker.dates", "safeguard_tracker.taxonomy"] in cycles(g)
