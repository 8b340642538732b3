"""Rendering reports with Jinja2.

The shipped templates live in the top-level ``templates/`` folder, installed
inside the wheel as ``safeguard_tracker.templates``.  A council can override
any of them with ``--templates DIR``; templates from such a folder run in
Jinja2's sandbox, and HTML is always autoescaped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..dates import fmt
from ..errors import ValidationError

FORMATS = ("md", "html", "csv", "json")


def shipped_templates() -> Path:
    here = Path(__file__).resolve().parent.parent
    installed = here / "templates"
    if installed.is_dir():
        return installed
    return here.parent / "templates"  # a source checkout


def _autoescape(name: Optional[str]) -> bool:
    return bool(name) and (name.endswith(".html.j2") or name.endswith(".html") or name.endswith(".svg.j2"))


def markdown_safe(value: Any) -> Any:
    """Every value a Markdown template prints: no raw HTML (a Markdown viewer would run a <script>),
    and no carriage return to break a table row.  Entities render as the characters in any viewer."""
    if isinstance(value, str):
        return value.replace("<", "&lt;").replace(">", "&gt;").replace("\r", " ")
    return value


def template_environment(templates: Optional[str | Path] = None, fmt_: Optional[str] = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        folder = Path(templates).expanduser()
        if not folder.is_dir():
            raise ValidationError("templates", str(templates), "an existing folder of .j2 templates")
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    loaders.append(jinja2.FileSystemLoader(str(shipped_templates())))
    cls = SandboxedEnvironment if templates is not None else jinja2.Environment
    env = cls(loader=jinja2.ChoiceLoader(loaders), autoescape=_autoescape, trim_blocks=True,
              lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
              finalize=markdown_safe if fmt_ == "md" else None)
    env.filters["ukdate"] = lambda d: fmt(d) if d else ""
    env.filters["pct"] = lambda v: "" if v is None else f"{v:.1f}%"
    return env


def render(name: str, fmt_: str, context: dict[str, Any], templates: Optional[str | Path] = None) -> str:
    """Render template ``{name}.{fmt_}.j2``; json is the context's ``data`` dumped as-is."""
    if fmt_ not in FORMATS:
        raise ValidationError("format", fmt_, "one of: " + ", ".join(FORMATS))
    if fmt_ == "json":
        return json.dumps(context["data"], indent=2, ensure_ascii=False, default=str) + "\n"
    env = template_environment(templates, fmt_)
    try:
        template = env.get_template(f"{name}.{fmt_}.j2")
    except jinja2.TemplateNotFound:
        raise ValidationError("format", fmt_, f"a format with a template: {name}.{fmt_}.j2 was not found") from None
    except jinja2.TemplateSyntaxError as exc:
        raise ValidationError("template", f"{exc.filename}:{exc.lineno}", f"a valid Jinja2 template ({exc.message})") from None
    try:
        return template.render(**context)
    except jinja2.exceptions.SecurityError as exc:
        raise ValidationError("template", name, f"a template that stays within the sandbox ({exc})") from None
    except jinja2.UndefinedError as exc:
        raise ValidationError("template", name, f"a template using only the report's fields ({exc.message})") from None
