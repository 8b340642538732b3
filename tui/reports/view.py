"""The reports tab: pick a report and its year, as-of date and filters; read the preview (the
Markdown rendered in the terminal); ctrl+s saves it as md, html, csv or json to a path you type,
and says where the file went."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, Label, Markdown, Select, Static

from safeguard_tracker.errors import SafeguardError
from safeguard_tracker.text import printable

from ..fields import ChoiceSuggester, Field
from ..widgets import TextInput, WorkspaceView, plain
from .specs import BY_ID, PARAM_LABELS, PARAMS, REPORTS, ReportSpec, defaults, output_path

PLACEHOLDERS = {"year": "2017-18", "compare": "the year before", "as_of": "today", "review": "every review",
                "agency": "every agency", "within": "30"}
TYPING_PAUSE = 0.5      # seconds of no typing before the preview follows the fields


class ReportsView(WorkspaceView):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save as\u2026", tooltip="save the report as md, html, csv or json to a path you type"),
        Binding("f5", "preview", "Preview", tooltip="render the preview again now (it follows the fields anyway)"),
        Binding("escape", "leave_field", "Back", show=False, tooltip="from a field: to the preview"),
    ]

    DEFAULT_CSS = """
    ReportsView .report-row { height: 1; }
    ReportsView .report-row Label { padding: 0 1; color: $text-muted; }
    ReportsView #report-kind { width: 1fr; }
    ReportsView .param { width: 1fr; height: 1; }
    ReportsView .param Input { width: 1fr; }
    ReportsView #report-note { height: auto; max-height: 4; padding: 0 1; background: $boost;
                               text-wrap: nowrap; text-overflow: ellipsis; }
    ReportsView #report-note.-wrap { text-wrap: wrap; }
    ReportsView #report-note.-error { background: $error 30%; text-style: bold; }
    ReportsView #report-preview-scroll { height: 1fr; padding: 0 1; }
    ReportsView Markdown { margin: 0; }
    """

    def __init__(self, *, id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self.spec: ReportSpec = REPORTS[0]
        self.timer: Optional[Timer] = None
        self.last_saved: Optional[Path] = None
        self.preview_text = ""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="report-row"):
            yield Label("Report")
            yield Select([(r.title, r.id) for r in REPORTS], value=self.spec.id, allow_blank=False, compact=True,
                         id="report-kind")
        with Horizontal(classes="report-row"):
            for name in PARAMS:
                with Horizontal(classes="param", id=f"param-{name}"):
                    yield Label(PARAM_LABELS[name])
                    yield TextInput(placeholder=PLACEHOLDERS[name], id=f"report-{name}", compact=True)
        yield Static(id="report-note")
        with VerticalScroll(id="report-preview-scroll"):
            yield Markdown(id="report-preview", open_links=False)

    def on_mount(self) -> None:
        tracker = self.app.tracker
        with self.prevent(Input.Changed):
            for name, value in defaults(tracker).items():
                self.query_one(f"#report-{name}", Input).value = value
        self.query_one("#report-agency", Input).suggester = ChoiceSuggester(list(tracker.plan_agencies.agencies))
        self._show_params()

    # --- fields --------------------------------------------------------------------------------
    def params(self) -> dict[str, str]:
        return {name: self.query_one(f"#report-{name}", Input).value for name in PARAMS}

    def choose(self, report_id: str, **values: str) -> None:
        """Pick a report (and fill fields), as the palette's "Report: ..." commands do."""
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#report-kind", Select).value = report_id
            for name, value in values.items():
                self.query_one(f"#report-{name}", Input).value = value
        self.spec = BY_ID[report_id]
        self._show_params()
        self.refresh_preview()

    def _show_params(self) -> None:
        for name in PARAMS:
            self.query_one(f"#param-{name}").display = name in self.spec.params

    def reload(self) -> None:
        try:
            titles = [r.title for r in self.app.tracker.reviews()]
        except SafeguardError:
            titles = []
        self.query_one("#report-review", Input).suggester = ChoiceSuggester(titles)
        self.refresh_preview()

    # --- the preview -----------------------------------------------------------------------------
    def note(self, text: str, error: bool = False, wrap: bool = False) -> None:
        """The line under the fields: what ctrl+s does, what is wrong, or where the file went (wrapped,
        so a long path is shown whole)."""
        note = self.query_one("#report-note", Static)
        note.update(Text.assemble(plain(text), no_wrap=not wrap, overflow="fold" if wrap else "ellipsis"))
        note.set_class(error, "-error")
        note.set_class(wrap, "-wrap")

    def refresh_preview(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        spec = self.spec
        try:
            text = spec.render(self.app.tracker, "md", self.params())
        except SafeguardError as exc:
            field = getattr(exc, "field", "")
            label = PARAM_LABELS.get(field.replace("as_of", "as_of"), field)
            self.note(f"\u2717 {label + ': ' if label else ''}{exc}", error=True)
            return
        self.preview_text = text
        # The report quotes stored text: its control characters are shown, never sent to the terminal.
        self.query_one("#report-preview", Markdown).update(printable(text, multiline=True))
        saved = f" \u00b7 last saved to {self.last_saved}" if self.last_saved else ""
        self.note(f"ctrl+s saves it as {', '.join(spec.formats)}{saved} \u00b7 {spec.title}: {spec.help}")

    @on(Select.Changed, "#report-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str) and event.value in BY_ID and event.value != self.spec.id:
            self.spec = BY_ID[event.value]
            self._show_params()
            self.refresh_preview()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.timer is not None:
            self.timer.stop()
        self.timer = self.set_timer(TYPING_PAUSE, self.refresh_preview)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.refresh_preview()

    def focus_default(self) -> None:
        self.query_one("#report-kind", Select).focus()

    def action_preview(self) -> None:
        self.refresh_preview()
        self.app.say(f"Preview of the {self.spec.title.lower()} rendered again")

    def action_leave_field(self) -> None:
        if isinstance(self.app.focused, (Input, Select)):
            self.query_one("#report-preview-scroll").focus()
        else:
            self.screen.action_back()  # type: ignore[attr-defined]

    # --- saving ----------------------------------------------------------------------------------
    def action_save(self) -> None:
        from ..plans.forms import PlanFormScreen
        app: Any = self.app
        tracker = app.tracker
        spec = self.spec
        params = self.params()
        try:
            spec.render(tracker, "md", params)     # refuse early, in words, if the fields are wrong
        except SafeguardError as exc:
            self.note(f"\u2717 not saved: {exc}", error=True)
            app.say(f"Not saved: {exc}", "error")
            return
        fmt_default = "html" if "html" in spec.formats else spec.formats[0]

        def chosen(values: dict[str, str]) -> tuple[str, Path]:
            fmt = values.get("format") or fmt_default
            if fmt not in spec.formats:
                fmt = fmt_default
            return fmt, output_path(values.get("path", ""), fmt, spec.default_name(tracker, params, fmt))

        def path_note(values: dict[str, str]) -> str:
            fmt, path = chosen(values)
            exists = " (exists: it will be replaced)" if path.exists() else ""
            return f"= {path}{exists}"

        def submit(values: dict[str, str]) -> str:
            fmt, path = chosen(values)
            content = spec.render(tracker, fmt, params)
            target = tracker.write_output(path, content, what=f"report {spec.id}", personal=spec.personal)
            self.last_saved = target
            size = len(content.encode("utf-8"))
            return f"Saved to {target} ({fmt.upper()}, {size:,} bytes: the {spec.title.lower()})"

        fields = [Field("format", "Format", "choice", value=fmt_default, required=True, choices=list(spec.formats),
                        hint="html opens in a browser, csv in a spreadsheet"),
                  Field("path", "Save to", aliases=("output",),
                        placeholder=spec.default_name(tracker, params, fmt_default),
                        hint="a file name or path; blank: the name shown, in the current folder")]
        screen = PlanFormScreen(f"Save: {spec.title}", fields, submit, today=tracker.today(),
                                notes={"path": path_note}, id="form-save-report", writes=spec.personal,
                                intro=f"The file is written whole or not at all, never over the store. "
                                      f"Folder now: {Path.cwd()}")

        def done(message: Optional[str]) -> None:
            if message:
                app.say("\u2713 " + message)
                self.note(f"\u2713 Saved to {self.last_saved}", wrap=True)

        app.push_screen(screen, done)
