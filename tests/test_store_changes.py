"""What the store says changed since a mark (``Store.change_mark`` / ``changed_since``), which the kept
indexes (pattern warnings, reference numbers) rely on: every change applied in this process or caught up
from another is there, in order; a store loaded whole since says it cannot tell (None), never a partial
answer an index would trust."""

import safeguard_tracker as st


def _add(t, summary):
    return t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary=summary).reference


def test_own_writes_and_others_caught_up_are_listed_in_order(store_path):
    with st.open_tracker(store_path, user="a") as t:
        first = _add(t, "one")
        mark = t.store.change_mark()
        assert t.store.changed_since(mark) == []
        second = _add(t, "two")
        t.update_contact(first, summary="one, edited")
        t.update_settings(employer_threshold=4)
        with st.open_tracker(store_path, user="b") as other:
            third = _add(other, "three")
        assert t.store.changed_since(mark) == [("contacts", second), ("contacts", first), ("settings", "config")]
        t.refresh()
        assert t.store.changed_since(mark)[-1] == ("contacts", third)
        later = t.store.change_mark()
        assert later != mark and t.store.changed_since(later) == []


def test_a_store_loaded_whole_since_the_mark_cannot_say(store_path):
    with st.open_tracker(store_path, user="a") as t:
        _add(t, "one")
        t.store.compact()
        mark = t.store.change_mark()
        _add(t, "two")
        t.store.restore(t.store.newest_backup())          # the tables are replaced, not changed item by item
        assert t.store.changed_since(mark) is None
        assert t.store.changed_since(t.store.change_mark()) == []


def test_an_index_kept_by_the_context_is_rebuilt_when_the_store_cannot_say(store_path):
    with st.open_tracker(store_path, user="a") as t:
        ctx = t._ctx
        builds, updates = [], []

        def build():
            builds.append(1)
            return sorted(t.contact_docs())

        def update(refs, changed):
            updates.append(list(changed))
            return sorted(set(refs) | {k for table, k in changed if table == "contacts"})

        assert ctx.kept("refs", build, update) == []
        ref = _add(t, "one")
        assert ctx.kept("refs", build, update) == [ref]
        assert (len(builds), updates) == (1, [[("contacts", ref)]])
        assert ctx.kept("refs", build, update) == [ref] and len(updates) == 1   # nothing changed: as kept
        t.store.compact()
        t.store.restore(t.store.newest_backup())
        assert ctx.kept("refs", build, update) == sorted(t.contact_docs()) and len(builds) == 2


def test_the_highest_number_issued_follows_new_records_without_a_rescan(store_path):
    """Kept beside the store and moved on by each change: a new reference, this process's or another
    user's, raises it at once."""
    with st.open_tracker(store_path, user="a") as t:
        ctx = t._ctx
        assert ctx.highest_issued("L-2018-") == 0
        _add(t, "one")
        assert ctx.highest_issued("L-2018-") == 1
        last = _add(t, "two")
        with st.open_tracker(store_path, user="b") as other:
            last = _add(other, "three")
        t.refresh()
        assert ctx.highest_issued("L-2018-") == int(last.rsplit("-", 1)[1]) == 3
        assert ctx.highest_issued("L-2017-") == 0 and ctx.highest_issued("A-") == 0
