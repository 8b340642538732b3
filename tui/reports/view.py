"""The reports tab: pick a report and its year, as-of date and filters; read the preview (the
Markdown rendered in the terminal); ctrl+s saves it as md, html, csv or json to a path you type,
and says where the file went."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, Label, Select, Static

from safeguard_tracker.errors import SafeguardError, ValidationError
from safeguard_tracker.outputs import resolve_output
from safeguard_tracker.text import printable

from ..fields import ChoiceSuggester, Field, resolve_choice
from ..plans.forms import PlanFormScreen
from ..widgets import TextInput, WorkspaceView, plain
from .specs import BY_ID, PARAM_LABELS, PARAMS, REPORTS, ReportSpec, defaults, output_path

PLACEHOLDERS = {"year": "2017-18", "compare": "the year before", "as_of": "today", "review": "every review",
                "agency": "every agency", "within": "30"}
TYPING_PAUSE = 0.5      # seconds of no typing before the preview follows the fields
REPORT_SUFFIXES = ("md", "html", "htm", "csv", "json", "markdown", "docx")


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
    ReportsView #report-preview { height: auto; }
    """

    def __init__(self, *, id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self.spec: ReportSpec = REPORTS[0]
        self.timer: Optional[Timer] = None
        self.last_saved: Optional[Path] = None
        self.last_format = ""      # the format last saved in this session: the Save dialog starts with it
        self.preview_text = ""
        self.prepared: Optional[tuple[tuple, str]] = None   # (report, fields, data version), its Markdown

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
            yield Static(id="report-preview")

    def on_mount(self) -> None:
        tracker = self.app.tracker
        with self.prevent(Input.Changed):
            for name, value in defaults(tracker).items():
                self.query_one(f"#report-{name}", Input).value = value
        self.query_one("#report-agency", Input).suggester = ChoiceSuggester(list(tracker.plan_agencies.agencies))
        self._show_params()
        # The tab mounts just after the first screen is painted, hidden: the first report is
        # prepared then, in the background, so that it is there at once when the tab is shown.
        self._prepare(self.spec, self.params(), self.app.data_version)

    @work(thread=True, exclusive=True, group="report-prepare")
    def _prepare(self, spec: ReportSpec, params: dict[str, str], version: int) -> None:
        try:
            text = spec.render(self.app.tracker, "md", params)
        except SafeguardError:
            return                        # refresh_preview says why, in words, when the tab is shown
        self.app.call_from_thread(self._prepared_ready, (spec.id, tuple(params.items()), version), text)

    def _prepared_ready(self, key: tuple, text: str) -> None:
        self.prepared = (key, text)

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
        params = self.params()
        key = (spec.id, tuple(params.items()), self.app.data_version)
        try:
            text = self.prepared[1] if self.prepared and self.prepared[0] == key else \
                spec.render(self.app.tracker, "md", params)
        except SafeguardError as exc:
            field = getattr(exc, "field", "")
            label = PARAM_LABELS.get(field.replace("as_of", "as_of"), field)
            self.note(f"\u2717 {label + ': ' if label else ''}{exc}", error=True)
            return
        self.preview_text = text
        # The report quotes stored text: its control characters are shown, never sent to the terminal.
        # One Static holding Rich's Markdown: Textual's Markdown widget made a widget per block and
        # table cell (about a thousand for the action plan), and took seconds to lay them out.
        self.query_one("#report-preview", Static).update(RichMarkdown(printable(text, multiline=True),
                                                                      hyperlinks=False))
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
    def save_format(self, spec: ReportSpec) -> str:
        """The format the Save dialog starts with: the one last saved in this session, when this
        report has it; else html."""
        if self.last_format in spec.formats:
            return self.last_format
        return "html" if "html" in spec.formats else spec.formats[0]

    def action_save(self) -> None:
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
        fmt_default = self.save_format(spec)

        def chosen(values: dict[str, str]) -> tuple[str, Path]:
            fmt = resolve_choice(values.get("format", ""), spec.formats) or fmt_default
            return fmt, output_path(values.get("path", ""), fmt, spec.default_name(tracker, params, fmt))

        def path_note(values: dict[str, str]) -> str:
            fmt, path = chosen(values)
            try:
                resolve_output(tracker.store, path)
            except ValidationError as exc:       # the store's own files, a folder, no such folder
                return f"= {path} (refused: {exc.accepted})"
            exists = " (exists: it will be replaced)" if path.exists() else ""
            return f"= {path}{exists}"

        def submit(values: dict[str, str]) -> str:
            fmt, path = chosen(values)
            content = spec.render(tracker, fmt, params)
            target = tracker.write_output(path, content, what=f"report {spec.id}", personal=spec.personal)
            self.last_saved = target
            self.last_format = fmt
            size = len(content if isinstance(content, bytes) else content.encode("utf-8"))
            return f"Saved to {target} ({fmt.upper()}, {size:,} bytes: the {spec.title.lower()})"

        fields = [Field("format", "Format", "choice", value=fmt_default, required=True, choices=list(spec.formats),
                        hint="html opens in a browser, csv in a spreadsheet"),
                  Field("path", "Save to", aliases=("output",),
                        placeholder=spec.default_name(tracker, params, fmt_default),
                        hint="a file name or path; blank: the name shown, in the current folder")]
        screen = SaveReportScreen(f"Save: {spec.title}", fields, submit, today=tracker.today(),
                                  notes={"path": path_note}, id="form-save-report", writes=spec.personal,
                                  intro=f"The file is written whole or not at all, never over the store. "
                                        f"Folder now: {Path.cwd()}",
                                  formats=spec.formats, name_for=lambda fmt: spec.default_name(tracker, params, fmt))

        def done(message: Optional[str]) -> None:
            if message:
                app.say("\u2713 " + message)
                self.note(f"\u2713 Saved to {self.last_saved}", wrap=True)

        app.push_screen(screen, done)


class SaveReportScreen(PlanFormScreen):
    """The Save dialog: the file name follows the format chosen (report.html becomes report.md
    when the format becomes md; so does the name offered when the path is left blank)."""

    def __init__(self, *args: Any, formats: tuple[str, ...], name_for: Callable[[str], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.formats = formats
        self.name_for = name_for

    @on(Input.Changed, "#field-format")
    def _format_changed(self, event: Input.Changed) -> None:
        fmt = resolve_choice(event.value, self.formats)
        if fmt is None:
            return
        path = self.row("path").input
        path.placeholder = self.name_for(fmt)
        typed = path.value.strip()
        stem, dot, suffix = typed.rpartition(".")
        if dot and stem and "/" not in suffix and suffix.lower() in REPORT_SUFFIXES and suffix.lower() != fmt:
            path.value = f"{stem}.{fmt}"
