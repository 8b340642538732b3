"""The reviews tree: review -> recommendation -> action, with a detail pane for the highlighted node.

Each review shows its kind, status and statutory dates (late ones say OVERDUE with the days, and
the dates themselves are the first branch under it); each action shows its RAG as a coloured
label with its word, its lead agency and its due date, marked "(revised)" where it moved.

``ReviewsView`` is the main screen's tab over every review; ``ReviewScreen`` is one review (what
opens for R-2017-001 from the chase list).  Both share ``TREE_BINDINGS`` and ``TreeKeys``.
"""

from __future__ import annotations

from typing import Any, Optional

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from ..footer import KeysFooter
from ..record_forms import fetch_or_say
from ..widgets import StatusLine, TopBar, WorkspaceView, plain
from .state import plans_data
from .data import PlansData
from .forms import add_action_form, add_recommendation_form, add_review_form, edit_review_form, impact_form
from .render import (action_label, action_renderable, deadline_label, recommendation_label, recommendation_renderable,
                     review_label, review_renderable)
from .steps import BY_NAME, STEPS, open_step

# Node data: ("review", ref) | ("dates", ref) | ("deadline", ref, i) | ("rec", ref, number) | ("action", ref)
NodeKey = tuple


class PlanTree(Tree):
    """The tree of reviews (or of one review, ``only``), rebuilt from ``PlansData``, keeping what
    was expanded and where the cursor was.

    A review's branches are built when it is first opened, so a store of 2,000 reviews and 20,000
    actions shows its tree as quickly as the demo's.  Opening a review shows its recommendations
    with their actions, and its statutory dates when one is late.
    """

    DEFAULT_CSS = """
    PlanTree { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
    """

    def __init__(self, *, only: Optional[str] = None, id: Optional[str] = None) -> None:
        super().__init__("Reviews", id=id)
        self.only = only
        self.show_root = False
        self.guide_depth = 3
        self.nodes_by_key: dict[NodeKey, TreeNode] = {}
        self.populated: set[str] = set()
        self.data: Optional[PlansData] = None
        self.built = False

    def process_label(self, label: Any) -> Text:
        """Every label is stored text (a review's name, an action's description): shown literally,
        never read as markup, its control characters visible (``plain``)."""
        return super().process_label(plain(label, multiline=False))

    def room(self, node: TreeNode) -> int:
        """The cells a node's label has on its line: the tree's width less its guides and icon."""
        depth = 0
        parent = node.parent
        while parent is not None and parent is not self.root:
            depth += 1
            parent = parent.parent
        icon = len(self.ICON_NODE) if node.allow_expand else 0
        return self.scrollable_content_region.width - depth * self.guide_depth - icon

    def render_label(self, node: TreeNode, base_style: Style, style: Style) -> Text:
        """A label fitted to the width the tree has now: an action's agency and text and a
        recommendation's text share the line's room (a wide terminal shows them whole), and a
        label still too long ends in an ellipsis, so a cut is visible as one."""
        room = self.room(node)
        if room <= 0 or self.data is None:
            return super().render_label(node, base_style, style)
        key = node.data or ()
        label: Optional[Text] = None
        if key and key[0] == "action":
            a = self.data.action(key[1])
            label = action_label(self.data, a, room) if a is not None else None
        elif key and key[0] == "rec":
            r = self.data.review(key[1])
            rec = r.recommendation(key[2]) if r is not None else None
            label = recommendation_label(self.data, r, rec, room) if r is not None and rec is not None else None
        fitted = self.process_label(label) if label is not None else node._label.copy()
        if fitted.cell_len > room:
            fitted.truncate(room, overflow="ellipsis")
        original = node._label
        node._label = fitted
        try:
            return super().render_label(node, base_style, style)
        finally:
            node._label = original

    def rebuild(self, data: PlansData) -> None:
        self.data = data
        keep = self.cursor_node.data if self.cursor_node is not None and self.built else None
        expanded = {k for k, n in self.nodes_by_key.items() if n.is_expanded}
        populated, self.populated = set(self.populated), set()
        self.clear()
        self.nodes_by_key = {}
        for r in data.reviews:
            if self.only is not None and r.reference != self.only:
                continue
            node = self.root.add(review_label(data, r), ("review", r.reference), allow_expand=True)
            self.nodes_by_key[("review", r.reference)] = node
            if r.reference in populated or self.only is not None or self.review_of(keep) == r.reference:
                self.populate(node, fresh=r.reference not in populated)
        for key in expanded:
            node = self.nodes_by_key.get(key)
            if node is not None:
                node.expand()
        if self.only is not None and not self.built:
            self.root.expand_all()
        self.built = True
        target = self.nodes_by_key.get(keep) if keep is not None else None
        self.call_after_refresh(self._place_cursor, target)

    def populate(self, node: TreeNode, fresh: bool = True) -> None:
        """Build a review's branches: statutory dates, recommendations, actions."""
        data = self.data
        ref = node.data[1]
        r = data.review(ref) if data is not None else None
        if r is None or ref in self.populated:
            return
        self.populated.add(ref)
        deadlines = data.deadlines(r)
        if deadlines:
            dates = node.add(Text("Statutory dates", style="italic"), ("dates", ref))
            self.nodes_by_key[("dates", ref)] = dates
            for i, d in enumerate(deadlines):
                dates.add_leaf(deadline_label(d, data.today), ("deadline", ref, i))
            if fresh and data.late_deadlines(r):
                dates.expand()
        for rec in r.recommendations:
            rnode = node.add(recommendation_label(data, r, rec), ("rec", ref, rec.number))
            self.nodes_by_key[("rec", ref, rec.number)] = rnode
            for a in data.actions_of(ref, rec.number):
                self.nodes_by_key[("action", a.reference)] = rnode.add_leaf(action_label(data, a),
                                                                            ("action", a.reference))
            if fresh:
                rnode.expand()
        if not r.recommendations:
            node.add_leaf(Text("no recommendations yet (r adds one)", style="dim"), ("empty", ref))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        key = event.node.data
        if key and key[0] == "review" and key[1] not in self.populated:
            self.populate(event.node)

    def review_of(self, key: Optional[NodeKey]) -> Optional[str]:
        if not key:
            return None
        if key[0] == "action":
            a = self.data.action(key[1]) if self.data is not None else None
            return a.review if a is not None else None
        return key[1]

    def _place_cursor(self, target: Optional[TreeNode]) -> None:
        _ = self.last_line  # lays the lines out, so each node knows its line
        if target is not None and target._line >= 0:
            self.move_cursor(target)
        elif self.cursor_line < 0 and self.last_line >= 0:
            self.move_cursor_to_line(0)

    def show(self, key: NodeKey) -> None:
        """Expand the way to ``key`` and put the cursor on it."""
        review = self.nodes_by_key.get(("review", self.review_of(key) or ""))
        if review is not None:
            self.populate(review)
        node = self.nodes_by_key.get(key)
        if node is None:
            return
        parent = node.parent
        while parent is not None and parent is not self.root:
            parent.expand()
            parent = parent.parent
        if key[0] == "review":
            node.expand()
        self.call_after_refresh(self._place_cursor, node)

    @property
    def current(self) -> Optional[NodeKey]:
        node = self.cursor_node
        return node.data if node is not None else None


def _step_bindings() -> list[Binding]:
    return [Binding(s.key, f"step('{s.name}')", s.label, show=s.footer, tooltip=s.help) for s in STEPS]


TREE_BINDINGS = [
    *_step_bindings(),
    Binding("a", "add_action", "Add action", tooltip="add an action to the highlighted recommendation"),
    Binding("r", "add_recommendation", "Add rec", tooltip="add a recommendation to the highlighted review"),
    Binding("i", "info", "Details", tooltip="open the highlighted review or action on its own screen"),
    Binding("v", "edit_review", "Edit review", show=False, tooltip="edit the review's details, status and dates"),
    Binding("m", "impact", "Impact", show=False,
            tooltip="record a recommendation's impact finding (once its actions are all signed off)"),
    Binding("x", "expand_all", "Expand all", show=False, tooltip="expand every branch (again: collapse all)"),
]


class TreeKeys:
    """What the tree's keys do; used by the Reviews tab and the review screen."""

    app: Any

    @property
    def tree(self) -> PlanTree:
        return self.query_one(PlanTree)  # type: ignore[attr-defined]

    def plans(self) -> PlansData:
        return plans_data(self.app)

    def node_review(self) -> Optional[str]:
        key = self.tree.current
        if key is None or key[0] == "empty":
            return key[1] if key else None
        if key[0] == "action":
            a = self.plans().action(key[1])
            return a.review if a is not None else None
        return key[1]

    def node_recommendation(self) -> Optional[int]:
        key = self.tree.current
        if key is None:
            return None
        if key[0] == "rec":
            return key[2]
        if key[0] == "action":
            a = self.plans().action(key[1])
            return a.recommendation if a is not None else None
        return None

    def node_action(self) -> Optional[str]:
        key = self.tree.current
        return key[1] if key is not None and key[0] == "action" else None

    def current_reference(self) -> Optional[str]:
        return self.node_action() or self.node_review()

    def check_action(self, action: str, parameters: tuple) -> Optional[bool]:
        """Show the step keys on an action, the plan keys elsewhere (the footer follows the cursor)."""
        on_action = self.node_action() is not None
        if action == "step":
            if not on_action:
                return False
            a = self.plans().action(self.node_action() or "")
            return a is not None and BY_NAME[parameters[0]].refuse(a) is None
        if action in ("add_recommendation", "edit_review"):
            return not on_action
        return True

    def show_detail(self) -> None:
        data = self.plans()
        key = self.tree.current
        detail = self.query_one(".plan-detail", Static)  # type: ignore[attr-defined]
        body: Any = Text("")
        if key is not None:
            kind = key[0]
            r = data.review(self.node_review() or "")
            if kind == "action":
                a = data.action(key[1])
                if a is not None:
                    body = action_renderable(data, a, brief=True)
            elif kind == "rec" and r is not None:
                rec = r.recommendation(key[2])
                if rec is not None:
                    body = recommendation_renderable(data, r, rec)
            elif r is not None:
                body = review_renderable(data, r, brief=True)
        detail.update(body)
        self.refresh_bindings()  # type: ignore[attr-defined]

    # Handlers by name, not @on: a mixin's decorated handlers are not collected by Textual.
    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        event.stop()
        self.show_detail()

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        data = event.node.data
        if data and data[0] == "action":
            self.app.open_reference(data[1])

    # --- actions -------------------------------------------------------------------------------
    def action_step(self, name: str) -> None:
        ref = self.node_action()
        if ref is None:
            self.app.say("Move to an action first (the lines with RED, AMBER, GREEN or BLUE)", "error")
            return
        open_step(self.app, name, ref)

    def action_info(self) -> None:
        ref = self.current_reference()
        if ref is None:
            self.app.say("Nothing highlighted", "error")
            return
        self.app.open_reference(ref)

    def action_add_recommendation(self) -> None:
        ref = self.node_review()
        if ref is None:
            add_review_form(self.app)
            return
        add_recommendation_form(self.app, ref,
                                on_added=lambda n: self.call_after_refresh(self.tree.show, ("rec", ref, n)))

    def action_add_action(self) -> None:
        ref = self.node_review()
        number = self.node_recommendation()
        add_action_form(self.app, ref, number,
                        on_added=lambda a: self.call_after_refresh(self.tree.show, ("action", a)))

    def action_edit_review(self) -> None:
        ref = self.node_review()
        if ref is not None:
            edit_review_form(self.app, ref)

    def action_impact(self) -> None:
        ref = self.node_review()
        if ref is not None:
            impact_form(self.app, ref, self.node_recommendation())

    def action_expand_all(self) -> None:
        tree = self.tree
        if any(n.is_expanded for n in tree.root.children):
            tree.root.collapse_all()
            tree.root.expand()
            self.app.say("Collapsed every review")
        else:
            tree.root.expand_all()
            self.app.say("Expanded every review: x collapses them")


class ReviewsView(TreeKeys, WorkspaceView):
    """Every review as a tree; the highlighted node's details below."""

    BINDINGS = [
        *TREE_BINDINGS,
        Binding("n", "new_review", "New review", tooltip="record a new review (SCR, LCSPR, LLR, audit...)"),
    ]

    DEFAULT_CSS = """
    ReviewsView .plan-detail-scroll { height: 7; border-top: solid $panel; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("Enter opens an action or expands a review; keys act on the highlighted line.",
                          style="dim", no_wrap=True, overflow="ellipsis"), classes="intro")
        yield PlanTree(id="reviews-tree")
        with VerticalScroll(classes="plan-detail-scroll"):
            yield Static(classes="plan-detail")

    def reload(self) -> None:
        self.tree.rebuild(self.plans())
        self.call_after_refresh(self.show_detail)
        unseen = self.app.unseen("reviews")  # type: ignore[attr-defined]
        if unseen:                                   # never a blank tree: the role does not see reviews
            self.query_one(".intro", Static).update(Text(f"NOT FOR YOUR ROLE: {unseen}.", style="bold"))

    def focus_default(self) -> None:
        self.tree.focus()

    def action_new_review(self) -> None:
        add_review_form(self.app, on_added=lambda ref: self.call_after_refresh(self.tree.show, ("review", ref)))


class ReviewScreen(TreeKeys, Screen):
    """One review: its details and statutory dates above, its recommendations and actions below."""

    BINDINGS = [
        *TREE_BINDINGS,
        Binding("escape", "back", "Back", tooltip="back to where you were"),
    ]

    DEFAULT_CSS = """
    ReviewScreen #review-head { height: auto; max-height: 9; padding: 0 1; background: $boost; }
    ReviewScreen .plan-detail-scroll { height: 6; border-top: solid $panel; padding: 0 1; }
    """

    def __init__(self, reference: str) -> None:
        super().__init__(id=f"review-{reference}")
        self.reference = reference

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Static(id="review-head")
        yield PlanTree(only=self.reference, id="review-tree")
        with VerticalScroll(classes="plan-detail-scroll"):
            yield Static(classes="plan-detail")
        yield StatusLine()
        yield KeysFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._reload, init=True)
        self.tree.focus()

    def _reload(self, _version: int = 0) -> None:
        data = self.plans()
        r = data.review(self.reference)
        head = self.query_one("#review-head", Static)
        if r is None:
            head.update(plain(f"No review {self.reference}", "bold"))
            return
        title = plain(f"{r.title} ({r.reference})", "bold", multiline=False)
        title.append(f"  {r.kind.label} \u00b7 {r.status.label}")
        head.update(title)
        self.tree.rebuild(data)
        self.call_after_refresh(self.show_detail)

    def check_action(self, action: str, parameters: tuple) -> Optional[bool]:
        if action == "info" and self.node_action() is None:
            return False     # this screen is the review's details already
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        self.app.pop_screen()


def open_review(app: Any, reference: str) -> None:
    review = fetch_or_say(app, lambda: app.tracker.get_review(reference))
    if review is not None:
        app.push_screen(ReviewScreen(review.reference))
