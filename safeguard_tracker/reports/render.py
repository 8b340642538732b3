"""Rendering reports with Jinja2.

The shipped templates live in the top-level ``templates/`` folder, installed
inside the wheel as ``safeguard_tracker.templates``.  A council can override
any of them with ``--templates DIR``.  Such a folder is untrusted code, so:

* templates are read only from regular files inside the folder (after links
  are resolved; a name that is absolute, climbs with ``..`` or leads out of
  the folder through a link is refused, and so is a FIFO, a device or a huge
  file), by ``FolderLoader`` (template_files.py);
* they run in Jinja2's sandbox (``ReportSandbox``), which also refuses
  sequence repetition and powers that would build gigabytes;
* they render in a separate Python process with a CPU-time, memory and
  output budget, killed if it overruns, so a loop that never ends, a
  recursion or a memory bomb costs the user one line, not a hung terminal.

HTML is always autoescaped.  In Markdown every printed value is neutralised
(``markdown_safe``, markdown.py): no raw HTML and no link or image syntax can come from data.
Every failure is one ``ValidationError`` naming the template and the problem.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable, Optional

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..dates import fmt
from ..errors import ValidationError
from .blocks import cell_text
from .markdown import markdown_safe
from .template_files import FolderLoader, TemplateRefused

FORMATS = ("md", "html", "csv", "json")

RENDER_CPU_SECONDS = 10               # CPU time of a user template's render (20,000 actions take about 3)
RENDER_WALL_SECONDS = 300             # the safety net if the worker is starved of CPU or stops
RENDER_MEMORY_BYTES = 1 << 30         # address space of the worker: the ceiling for memory bombs
RENDER_OUTPUT_CHARS = 50_000_000      # 5x the action plan of 20,000 actions; a loop printing for ever hits it
MAX_REPEAT = 10_000_000               # longest sequence 'x' * n may build in a sandboxed template
MAX_POWER_BITS = 100_000              # largest integer n ** m may build in a sandboxed template


def shipped_templates() -> Path:
    here = Path(__file__).resolve().parent.parent
    installed = here / "templates"
    if installed.is_dir():
        return installed
    return here.parent / "templates"  # a source checkout


def _autoescape(name: Optional[str]) -> bool:
    return bool(name and (name.endswith(".html.j2") or name.endswith(".html") or name.endswith(".svg.j2")))


# --- the sandbox ---------------------------------------------------------------------------------------------

class ReportSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, also refusing ``'x' * 10**9`` and ``9 ** 10**9`` before they allocate."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(n, int) and hasattr(seq, "__len__") and not isinstance(seq, int) \
                        and len(seq) * n > MAX_REPEAT:
                    raise jinja2.exceptions.SecurityError(f"repeating a sequence to more than {MAX_REPEAT:,} items")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 \
                and abs(left) > 1 and left.bit_length() * right > MAX_POWER_BITS:
            raise jinja2.exceptions.SecurityError(f"a power with more than {MAX_POWER_BITS:,} bits")
        return super().call_binop(context, operator, left, right)


def template_environment(templates: Optional[str | Path] = None, fmt_: Optional[str] = None) -> jinja2.Environment:
    """The environment for ``fmt_``: the user folder first (sandboxed), then the shipped templates."""
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        loaders.append(FolderLoader(user_folder(templates)))
    loaders.append(FolderLoader(shipped_templates()))
    cls = ReportSandbox if templates is not None else jinja2.Environment
    env = cls(loader=jinja2.ChoiceLoader(loaders), autoescape=_autoescape, trim_blocks=True,
              lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
              finalize=markdown_safe if fmt_ == "md" else None)
    env.filters["ukdate"] = lambda d: fmt(d) if d else ""
    env.filters["pct"] = lambda v: "" if v is None else f"{v:.1f}%"
    env.filters["cell"] = cell_text          # a table cell from ``reports.blocks``: 1,234 / 12.5 / empty
    return env


def user_folder(templates: str | Path) -> Path:
    """The ``--templates`` folder, resolved; refused in one line if it is not an existing folder."""
    folder = Path(templates).expanduser()
    if not folder.is_dir():
        raise ValidationError("templates", str(templates), "an existing folder of .j2 templates")
    return Path(os.path.realpath(folder))


# --- rendering -----------------------------------------------------------------------------------------------

class OutputTooLarge(Exception):
    """The render printed more than its output budget."""


def render(name: str, fmt_: str, context: dict[str, Any], templates: Optional[str | Path] = None) -> str:
    """Render template ``{name}.{fmt_}.j2``; json is the context's ``data`` dumped as-is.

    Shipped templates render here; a ``templates`` folder's render in a budgeted worker process.
    """
    if fmt_ not in FORMATS:
        raise ValidationError("format", fmt_, "one of: " + ", ".join(FORMATS))
    if fmt_ == "json":
        return json.dumps(context["data"], indent=2, ensure_ascii=False, default=str) + "\n"
    template_name = f"{name}.{fmt_}.j2"
    if templates is None:
        return render_here(None, template_name, fmt_, context)
    return render_in_worker(user_folder(templates), template_name, fmt_, context)


def render_here(folder: Optional[Path], template_name: str, fmt_: str, context: dict[str, Any],
                max_chars: Optional[int] = None) -> str:
    """Render in this process; every failure becomes one ``ValidationError`` naming the template."""
    try:
        env = template_environment(folder, fmt_)
        template = env.get_template(template_name)
        return _collect(template.generate(**context), max_chars)
    except Exception as exc:  # noqa: BLE001 - a user template can raise anything; each becomes one line
        raise template_problem(exc, template_name, fmt_) from None


def _collect(chunks: Iterable[str], max_chars: Optional[int]) -> str:
    """Join the render's chunks, stopping as soon as they pass ``max_chars`` (a StringIO, not a list
    of millions of small strings, so the count is the memory)."""
    out, size = io.StringIO(), 0
    for chunk in chunks:
        size += len(chunk)
        if max_chars is not None and size > max_chars:
            raise OutputTooLarge()
        out.write(chunk)
    return out.getvalue()


def template_problem(exc: BaseException, template_name: str, fmt_: str) -> ValidationError:
    """The one-line error for a template that failed with ``exc``."""
    if isinstance(exc, ValidationError):
        return exc
    where = template_name
    if isinstance(exc, TemplateRefused):
        included = "" if exc.name == template_name else f"its include or import '{exc.name}' must be "
        return ValidationError("template", where, f"{included}{exc.reason}")
    if isinstance(exc, jinja2.TemplateNotFound):
        if exc.name == template_name:
            return ValidationError("format", fmt_, f"a format with a template: {template_name} was not found")
        return ValidationError("template", where, f"includes and imports of templates that exist "
                                                  f"('{exc.name}' is not in the folder or among the shipped ones)")
    if isinstance(exc, jinja2.TemplateSyntaxError):
        shown = f"{Path(exc.filename).name if exc.filename else exc.name or where}:{exc.lineno}"
        return ValidationError("template", shown, f"a valid Jinja2 template ({exc.message})")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return ValidationError("template", where, f"a template that stays within the sandbox ({exc})")
    if isinstance(exc, jinja2.UndefinedError):
        return ValidationError("template", where, f"a template using only the report's fields ({exc.message})")
    if isinstance(exc, RecursionError):
        return ValidationError("template", where, "a template that does not include or call itself without end")
    if isinstance(exc, OutputTooLarge):
        return ValidationError("template", where, f"a template whose output fits in {RENDER_OUTPUT_CHARS:,} "
                                                  f"characters (it printed more and was stopped)")
    if isinstance(exc, MemoryError):
        return ValidationError("template", where, f"a template that fits in its memory budget of "
                                                  f"{RENDER_MEMORY_BYTES >> 20:,} MB (it ran out and was stopped)")
    return ValidationError("template", where, f"a template that renders without error "
                                              f"({type(exc).__name__}: {exc})")


# --- the worker process for user templates -------------------------------------------------------------------

_WORKER = ("import sys; sys.path.insert(0, sys.argv[1]); "
           "from safeguard_tracker.reports.render import worker_main; worker_main()")


def render_in_worker(folder: Path, template_name: str, fmt_: str, context: dict[str, Any]) -> str:
    """Render a user folder's template in a child process bounded in CPU time, memory and output.

    The child gets the context pickled on its standard input and answers with one JSON status
    line, then the text.  A CPU overrun kills it (RLIMIT_CPU); the wall clock is only a safety
    net for a child starved of CPU, and is generous because the machine may be busy.
    """
    if not sys.executable:
        raise ValidationError("templates", str(folder), "the shipped templates only, here: this Python cannot "
                                                        "start the separate process a folder's templates run in")
    payload = pickle.dumps({"folder": str(folder), "name": template_name, "fmt": fmt_, "context": context,
                            "cpu": RENDER_CPU_SECONDS, "memory": RENDER_MEMORY_BYTES,
                            "max_chars": RENDER_OUTPUT_CHARS}, protocol=pickle.HIGHEST_PROTOCOL)
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    try:
        proc = subprocess.Popen([sys.executable, "-c", _WORKER, package_root], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True)
    except OSError as exc:
        raise ValidationError("templates", str(folder), f"the shipped templates only, here: the separate process "
                                                        f"a folder's templates run in cannot start "
                                                        f"({exc.strerror or exc})") from None
    try:
        out, _err = proc.communicate(payload, timeout=RENDER_WALL_SECONDS)
    except subprocess.TimeoutExpired:
        raise ValidationError("template", template_name, f"a template that finishes within {RENDER_WALL_SECONDS} "
                                                         f"seconds (it was stopped)") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return _worker_answer(proc.returncode, out, template_name)


def _worker_answer(returncode: int, out: bytes, template_name: str) -> str:
    """The text the worker rendered, or its failure as one ``ValidationError``."""
    head, _, body = out.partition(b"\n")
    try:
        status = json.loads(head) if head else {}
    except ValueError:
        status = {}
    if returncode == 0 and status.get("ok"):
        return body.decode("utf-8")
    if returncode == 0 and status.get("error"):
        field, value, accepted = status["error"]
        raise ValidationError(field, value, accepted)
    if returncode in (-getattr(signal, "SIGXCPU", 24), -signal.SIGKILL):
        raise ValidationError("template", template_name, f"a template that finishes within {RENDER_CPU_SECONDS} "
                                                         f"seconds of CPU time (it was stopped: a loop without end?)")
    raise ValidationError("template", template_name, f"a template that renders within its memory and time budget "
                                                     f"(the render stopped, exit status {returncode})")


def worker_main() -> None:
    """The child's side of ``render_in_worker``: set the budgets, render, answer, exit.

    The budgets come from the parent (its module's values when it called), so the messages
    name the limits that applied.
    """
    global RENDER_CPU_SECONDS, RENDER_MEMORY_BYTES, RENDER_OUTPUT_CHARS
    request = pickle.loads(sys.stdin.buffer.read())
    RENDER_CPU_SECONDS, RENDER_MEMORY_BYTES = request["cpu"], request["memory"]
    RENDER_OUTPUT_CHARS = request["max_chars"]
    _limit(request["cpu"], request["memory"])
    out = sys.stdout.buffer
    try:
        text = render_here(Path(request["folder"]), request["name"], request["fmt"], request["context"],
                           max_chars=request["max_chars"])
        data = text.encode("utf-8")
    except ValidationError as exc:
        out.write(json.dumps({"error": [exc.field, exc.value, exc.accepted]}, default=str).encode() + b"\n")
    except MemoryError:
        problem = template_problem(MemoryError(), request["name"], request["fmt"])
        out.write(json.dumps({"error": [problem.field, problem.value, problem.accepted]}).encode() + b"\n")
    else:
        out.write(b'{"ok": true}\n')
        out.write(data)
    out.flush()


def _limit(cpu_seconds: int, memory_bytes: int) -> None:
    """CPU seconds (SIGXCPU, then SIGKILL a second later), address space, and no core file (SIGXCPU
    would otherwise dump one into the user's folder), where the OS has them."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: the wall-clock safety net still applies
        return
    for what, soft, hard in ((resource.RLIMIT_CORE, 0, 0), (resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1),
                             (resource.RLIMIT_AS, memory_bytes, memory_bytes)):
        try:
            current_soft, current_hard = resource.getrlimit(what)
            if current_hard != resource.RLIM_INFINITY:
                soft, hard = min(soft, current_hard), min(hard, current_hard)
            resource.setrlimit(what, (soft, hard))
        except (ValueError, OSError):
            pass
