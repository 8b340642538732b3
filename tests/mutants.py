"""A small, deterministic mutation pass: do the tests fail when the code is wrong?

The package is copied to a scratch folder (``/tmp/mutants/<run>/``) and only the copy is mutated;
the working tree is never touched.  For each mutant one pytest runs, with the copy first on the
import path (``PYTHONPATH=<copy>``, ``cwd=<copy>``), over the test files mapped to the mutated
module, ``-x -q -p no:cacheprovider``, with a per-mutant timeout (a hang counts as killed:
"timeout").  Before anything else a sanity mutant that raises at import must make the tests fail,
and a child process must import the copy; otherwise the script refuses to run (the editable install
would be tested instead of the mutant).

Operators (AST, one change per mutant): comparison flip (< <=, > >=, == !=, in / not in, is / is
not), integer constant +1 and -1, and/or swap, ``not`` removed, True/False swap, + to - and - to +
(not on string literals), ``return <expr>`` to ``return None``, a bare call statement deleted.
Files with more candidates than their cap are sampled deterministically (``--seed``).

    python tests/mutants.py --help
    python tests/mutants.py                      # the default pass (505 mutants, about 30 minutes on 2 cores)
    python tests/mutants.py --rerun REPORT.json  # only the survivors of an earlier pass
    python tests/mutants.py --list               # the mutants, without running anything
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module -> (test files, most likely to kill first; which cap applies); a missing file is skipped
STORE_TESTS = ["test_mutants_store.py", "test_store.py", "test_faults_journal.py", "test_store_fast_paths.py", "test_audit_items.py",
               "test_faults_corruption.py"]
IO_TESTS = ["test_mutants_io.py", "test_lado_io.py", "test_plans_import.py", "test_import_integrity.py", "test_lado_reimport.py"]
SMALL = "small"
LARGE_IO = "io"
LARGE_STORE = "store"
MAPPING: dict[str, tuple[list[str], str]] = {
    "safeguard_tracker/dates.py": (["test_dates.py", "test_lado_deadlines.py", "test_plans_dates.py"], SMALL),
    "safeguard_tracker/lado/deadlines.py": (["test_lado_deadlines.py", "test_mutants_deadlines.py",
                                             "test_lado_lifecycle.py", "test_privacy_redaction.py"], SMALL),
    "safeguard_tracker/plans/plan_dates.py": (["test_plans_dates.py", "test_mutants_plans.py",
                                               "test_plans_workflow.py"], SMALL),
    "safeguard_tracker/plans/rag.py": (["test_plans_dates.py", "test_mutants_plans.py", "test_plans_workflow.py"],
                                       SMALL),
    "safeguard_tracker/lado/statistics.py": (["test_lado_stats.py", "test_mutants_stats.py"], SMALL),
    "safeguard_tracker/io/csvfiles.py": (["test_mutants_io.py", "test_lado_io.py", "test_import_integrity.py",
                                          "test_plans_import.py", "test_security_templates.py"], LARGE_IO),
    "safeguard_tracker/io/importing.py": (IO_TESTS, LARGE_IO),
    "safeguard_tracker/io/jsonfiles.py": (IO_TESTS, LARGE_IO),
    "safeguard_tracker/store/files.py": (["test_mutants_store.py", "test_store.py", "test_faults_disk.py"]
                                         + STORE_TESTS[2:], SMALL),
    "safeguard_tracker/store/format.py": (STORE_TESTS, LARGE_STORE),
    "safeguard_tracker/store/transaction.py": (STORE_TESTS, LARGE_STORE),
    "safeguard_tracker/store/file_store.py": (STORE_TESTS, LARGE_STORE),
    "safeguard_tracker/store/item_changes.py": (STORE_TESTS, LARGE_STORE),
    "safeguard_tracker/store/issued.py": (STORE_TESTS, LARGE_STORE),
    "safeguard_tracker/store/check.py": (STORE_TESTS, LARGE_STORE),
    "safeguard_tracker/store/shapes.py": (STORE_TESTS, LARGE_STORE),
    "safeguard_tracker/store/migration.py": (STORE_TESTS, LARGE_STORE),
}

# the test files this pass added to or created (--original-tests puts the committed versions back)
OWN_TESTS = ["test_dates.py", "test_lado_deadlines.py", "test_plans_dates.py", "test_lado_stats.py", "test_lado_io.py",
             "test_store.py"]

COPY = ["safeguard_tracker", "tui", "tests", "templates", "docs", "pyproject.toml", "README.md"]


# --- mutants ----------------------------------------------------------------------------------------------

@dataclass
class Mutant:
    file: str
    index: int        # position of the node in ast.walk order of the file
    op: str
    line: int
    detail: str
    source_line: str  # the original line, to recognise the same mutant in a later run
    status: str = ""
    seconds: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.file}:{self.index}:{self.op}"


_FLIP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
         ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_SYM = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in",
        ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """Nodes never mutated: docstrings, annotations, ``__all__``, ``if TYPE_CHECKING`` blocks."""
    skip: set[int] = set()

    def mark(node):
        for n in ast.walk(node):
            skip.add(id(n))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                mark(first)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for a in node.args.args + node.args.kwonlyargs + node.args.posonlyargs:
                if a.annotation is not None:
                    mark(a.annotation)
            if node.returns is not None:
                mark(node.returns)
        if isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            mark(node)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            mark(node)
    return skip


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def candidates(tree: ast.AST) -> list[tuple[int, str, ast.AST, str]]:
    """(index, op, node, detail) for every mutation of the tree, in a fixed order."""
    skip = _skipped_nodes(tree)
    out = []
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for k, cmp in enumerate(node.ops):
                if type(cmp) in _FLIP:
                    out.append((index, f"cmp{k}", node, f"{_SYM[type(cmp)]} -> {_SYM[_FLIP[type(cmp)]]}"))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            out.append((index, "int+1", node, f"{node.value} -> {node.value + 1}"))
            out.append((index, "int-1", node, f"{node.value} -> {node.value - 1}"))
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            out.append((index, "bool", node, f"{node.value} -> {not node.value}"))
        elif isinstance(node, ast.BoolOp):
            out.append((index, "andor", node, "and -> or" if isinstance(node.op, ast.And) else "or -> and"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.append((index, "not", node, "not removed"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            if not (_is_str(node.left) or _is_str(node.right)):
                out.append((index, "arith", node, "+ -> -" if isinstance(node.op, ast.Add) else "- -> +"))
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            out.append((index, "return", node, "return <expr> -> return None"))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            out.append((index, "delcall", node, "call statement deleted"))
    return out


def apply(tree: ast.AST, index: int, op: str) -> None:
    """Mutate node ``index`` (ast.walk order) of ``tree`` in place."""
    for i, node in enumerate(ast.walk(tree)):
        if i == index:
            break
    else:
        raise LookupError(index)
    if op.startswith("cmp"):
        k = int(op[3:])
        node.ops[k] = _FLIP[type(node.ops[k])]()
    elif op == "int+1":
        node.value += 1
    elif op == "int-1":
        node.value -= 1
    elif op == "bool":
        node.value = not node.value
    elif op == "andor":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif op == "not":
        # `not x` -> `x`: replace the UnaryOp in its parent
        _replace(tree, node, node.operand)
    elif op == "arith":
        node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
    elif op == "return":
        node.value = None
    elif op == "delcall":
        _replace(tree, node, ast.Pass())
    else:
        raise ValueError(op)


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for j, item in enumerate(value):
                    if item is old:
                        value[j] = new
                        return
    raise LookupError("parent not found")


def mutants_of(rel: str, source: str, cap: int | None, seed: int) -> list[Mutant]:
    tree = ast.parse(source)
    lines = source.splitlines()
    found = [Mutant(rel, i, op, node.lineno, detail, lines[node.lineno - 1].strip())
             for i, op, node, detail in candidates(tree)]
    if cap is not None and len(found) > cap:
        chosen = random.Random(f"{seed}:{rel}").sample(range(len(found)), cap)
        found = [found[i] for i in sorted(chosen)]
    return found


def _by_signature(found: list[Mutant]) -> dict[tuple, Mutant]:
    """Mutants keyed by (operator, change, source line, how many such came before): stable when other
    lines of the file change."""
    seen: dict[tuple, int] = {}
    out = {}
    for m in found:
        base = (m.op, m.detail, m.source_line)
        seen[base] = seen.get(base, -1) + 1
        out[base + (seen[base],)] = m
    return out


def mutated_source(source: str, m: Mutant) -> str:
    tree = ast.parse(source)
    apply(tree, m.index, m.op)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


# --- running ----------------------------------------------------------------------------------------------

def make_copy(run_dir: Path, original_tests: bool = False) -> Path:
    src = run_dir / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.egg-info", ".hypothesis")
    for name in COPY:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=ignore)
        elif p.exists():
            shutil.copy2(p, src / name)
    # the editable install maps safeguard_tracker.templates to ROOT/templates; keep it inside the copy
    shutil.copytree(ROOT / "templates", src / "safeguard_tracker" / "templates", ignore=ignore)
    if original_tests:
        # the suite as committed, before this pass's tests: `git show` only reads
        for name in OWN_TESTS:
            committed = subprocess.run(["git", "show", f"HEAD:tests/{name}"], cwd=ROOT, capture_output=True,
                                       check=False)
            if committed.returncode == 0:
                (src / "tests" / name).write_bytes(committed.stdout)
        for extra in (src / "tests").glob("test_mutants_*.py"):
            extra.unlink()
    return src


def env_for(src: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = str(src)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONHASHSEED"] = "0"
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(src / ".hypothesis")
    return env


def run_pytest(src: Path, tests: list[str], timeout: float) -> tuple[str, float, str]:
    args = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
            *[f"tests/{t}" for t in tests if (src / "tests" / t).exists()]]
    start = time.monotonic()
    proc = subprocess.Popen(args, cwd=src, env=env_for(src), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, text=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return "timeout", time.monotonic() - start, out
    seconds = time.monotonic() - start
    if proc.returncode == 0:
        return "survived", seconds, out
    if proc.returncode == 5:
        return "error", seconds, out       # no tests collected: the mapping is wrong
    return "killed", seconds, out


def _drop_pyc(path: Path) -> None:
    cache = path.parent / "__pycache__"
    if cache.is_dir():
        for pyc in cache.glob(path.stem + ".*.pyc"):
            pyc.unlink()


def sanity(src: Path) -> None:
    """Refuse to run unless the copy, and only the copy, is what the tests import."""
    env = env_for(src)
    child = ("import subprocess, sys; print(subprocess.run([sys.executable, '-c', "
             "'import safeguard_tracker, safeguard_tracker.templates as t; print(safeguard_tracker.__file__); "
             "print(list(t.__path__)[0])'], capture_output=True, text=True, check=True).stdout)")
    out = subprocess.run([sys.executable, "-c", child], cwd=src, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    for p in out:
        if not Path(p).resolve().is_relative_to(src.resolve()):
            sys.exit(f"refusing to run: a child process imports {p}, not the copy in {src}")
    target = src / "safeguard_tracker" / "dates.py"
    original = target.read_text()
    target.write_text(original + "\nraise RuntimeError('mutation sanity check')\n")
    _drop_pyc(target)
    try:
        status, _, output = run_pytest(src, ["test_dates.py"], 120)
    finally:
        target.write_text(original)
        _drop_pyc(target)
    if status != "killed" or "mutation sanity check" not in output:
        sys.exit(f"refusing to run: a mutant that raises at import left the tests {status}; "
                 "the tests are not importing the copy")
    print(f"sanity: the copy in {src} is imported (by pytest and by child processes)", flush=True)


def run(args) -> int:
    run_dir = Path(args.run_dir or f"/tmp/mutants/{time.strftime('%Y%m%d-%H%M%S')}")
    run_dir.mkdir(parents=True, exist_ok=True)
    report = Path(args.report or run_dir / "report.json")
    caps = {SMALL: args.cap_small, LARGE_IO: args.cap_io, LARGE_STORE: args.cap_store}

    files = args.files or list(MAPPING)
    only: dict[str, dict] | None = None
    if args.rerun:
        old = json.loads(Path(args.rerun).read_text())
        only = {m["file"] + ":" + str(m["index"]) + ":" + m["op"]: m for m in old["mutants"]
                if m["status"] == "survived"}
        files = sorted({m["file"] for m in only.values()}, key=list(MAPPING).index)
        old_src = Path(args.rerun).parent / "src"    # the sources the earlier pass mutated

    plan: list[Mutant] = []
    for rel in files:
        source = (ROOT / rel).read_text()
        if only is None:
            cap = None if caps[MAPPING[rel][1]] <= 0 else caps[MAPPING[rel][1]]
            plan += mutants_of(rel, source, cap, args.seed)
        else:
            now = _by_signature(mutants_of(rel, source, None, args.seed))
            then_source = (old_src / rel).read_text() if (old_src / rel).exists() else source
            then = {m.key: sig for sig, m in _by_signature(mutants_of(rel, then_source, None, args.seed)).items()}
            for key, m in only.items():
                if m["file"] != rel:
                    continue
                sig = then.get(key)
                if sig is None or sig not in now:
                    print(f"warning: {key} ({m['source_line']!r}) is no longer in the source; skipped")
                    continue
                plan.append(now[sig])
    if args.list:
        for m in plan:
            print(f"{m.key:55} line {m.line:4}  {m.detail:28}  {m.source_line[:70]}")
        print(f"{len(plan)} mutants")
        return 0

    src = make_copy(run_dir, args.original_tests)
    print(f"copy: {src}; {len(plan)} mutants; report: {report}", flush=True)
    sanity(src)

    results: list[Mutant] = []
    baselines: dict[str, float] = {}
    started = time.monotonic()
    for n, m in enumerate(plan, 1):
        target = src / m.file
        tests = MAPPING[m.file][0]
        if m.file not in baselines:
            # the unmutated file, unparsed as every mutant is: must pass, and sets the timeout
            original = (src / m.file).read_text()
            target.write_text(ast.unparse(ast.parse(original)) + "\n")
            _drop_pyc(target)
            status, seconds, out = run_pytest(src, tests, 600)
            target.write_text(original)
            _drop_pyc(target)
            if status != "survived":
                print(out[-3000:])
                sys.exit(f"baseline for {m.file} is {status}: the tests fail without any mutant")
            baselines[m.file] = seconds
            print(f"baseline {m.file}: {seconds:.1f}s", flush=True)
        original = target.read_text()
        try:
            target.write_text(mutated_source(original, m))
            _drop_pyc(target)
            timeout = max(args.timeout, 5 * baselines[m.file])
            m.status, m.seconds, out = run_pytest(src, tests, timeout)
        finally:
            target.write_text(original)
            _drop_pyc(target)
        results.append(m)
        elapsed = time.monotonic() - started
        print(f"[{n}/{len(plan)} {elapsed / 60:5.1f} min] {m.status:8} {m.key:50} line {m.line:4} "
              f"{m.detail}  | {m.source_line[:60]}", flush=True)
        if m.status == "error":
            print(out[-2000:])
        _write_report(report, results, args, baselines)
    _write_report(report, results, args, baselines)
    print(table(results))
    print(f"report: {report} (survivors: {report.with_suffix('.survivors.txt')})")
    return 0


def table(results: list[Mutant]) -> str:
    rows = {}
    for m in results:
        r = rows.setdefault(m.file, {"killed": 0, "survived": 0, "timeout": 0, "error": 0})
        r[m.status] += 1
    total = {k: sum(r[k] for r in rows.values()) for k in ("killed", "survived", "timeout", "error")}
    lines = ["| file | mutants | killed | timeout | survived |", "|---|---:|---:|---:|---:|"]
    for f, r in list(rows.items()) + [("**total**", total)]:
        n = sum(r.values())
        lines.append(f"| {f.removeprefix('safeguard_tracker/')} | {n} | {r['killed']} | {r['timeout']} | "
                     f"{r['survived']}{' (+' + str(r['error']) + ' error)' if r['error'] else ''} |")
    return "\n".join(lines)


def _write_report(report: Path, results: list[Mutant], args, baselines) -> None:
    report.write_text(json.dumps({"seed": args.seed, "caps": [args.cap_small, args.cap_io, args.cap_store],
                                  "baselines": baselines, "mutants": [asdict(m) for m in results]}, indent=1))
    surv = [m for m in results if m.status == "survived"]
    report.with_suffix(".survivors.txt").write_text(
        "".join(f"{m.key}\tline {m.line}\t{m.detail}\t{m.source_line}\n" for m in surv))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="Mutates a scratch copy only; needs the test extras installed.")
    p.add_argument("files", nargs="*", help=f"modules to mutate (default: all mapped: {', '.join(MAPPING)})")
    p.add_argument("--seed", type=int, default=2018, help="seed of the per-file sample (default 2018)")
    p.add_argument("--cap-small", type=int, default=60, help="mutants sampled per small module (dates, "
                   "deadlines, plan dates, RAG, statistics, store/files.py; default 60; 0 = every mutant)")
    p.add_argument("--cap-io", type=int, default=30, help="mutants sampled per io/ module (default 30)")
    p.add_argument("--cap-store", type=int, default=15, help="mutants sampled per other store/ module (default 15)")
    p.add_argument("--timeout", type=float, default=30, help="seconds per mutant at least (5x the file's "
                   "baseline if longer); a mutant that runs out counts as killed ('timeout')")
    p.add_argument("--run-dir", help="scratch folder (default /tmp/mutants/<date-time>)")
    p.add_argument("--report", help="JSON report (default <run-dir>/report.json; survivors beside it)")
    p.add_argument("--rerun", metavar="REPORT", help="run only the survivors listed in an earlier report")
    p.add_argument("--list", action="store_true", help="list the mutants and stop")
    p.add_argument("--original-tests", action="store_true", help="run the tests as committed (HEAD) instead of "
                   "the working tree's: without tests/test_mutants_*.py and this pass's additions (the 'before' run)")
    args = p.parse_args(argv)
    for f in args.files:
        if f not in MAPPING:
            p.error(f"{f} is not mapped to tests; mapped: {', '.join(MAPPING)}")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
