"""The context's model-object cache is shared by the TUI's main thread and its workers (the deadlines
of a large store are worked out in a thread).  Evicting the oldest quarter must survive another
thread having evicted some of the same keys first: at 100,000 contacts that race crashed the TUI
with a KeyError."""

import safeguard_tracker as st
from safeguard_tracker import context
from safeguard_tracker.model import Contact


class RacedCache(dict):
    """A cache whose oldest keys another thread has just evicted: iterating still names them."""

    def __init__(self, *args, gone=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.gone = list(gone)

    def __iter__(self):
        yield from self.gone
        yield from super().__iter__()


def test_evicting_keys_another_thread_evicted_first_is_harmless(store_path, monkeypatch):
    monkeypatch.setattr(context, "CACHE_LIMIT", 4)
    with st.open_tracker(store_path, user="a") as t:
        refs = [t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry",
                              summary=f"s{i}").reference for i in range(6)]
        ctx = t._ctx
        ctx._cache = RacedCache(gone=[("contacts", "L-2018-9998"), ("contacts", "L-2018-9999")])
        for ref in refs:
            doc = ctx.store.get("contacts", ref)
            assert ctx.structure(Contact, "contacts", ref, doc).reference == ref
