"""The first filter after a change (no sort order or search text built yet) finds and orders
exactly what a filter with them built does: every sort column, both directions."""

import pytest

from safeguard_tracker.demo import build_demo
from tui.lado.data import SORT_COLUMNS, Criteria, LadoData, filter_contacts

CRITERIA = [
    Criteria(year="2017-18", agency="school", text="child"),
    Criteria(year="2016-17", category="referral"),
    Criteria(agency="police"),
    Criteria(text="teacher pupil"),
    Criteria(text="L-2017-01"),
    Criteria(status="open", harm="physical", text="school"),
    Criteria(year="2017-18", text="zzz not there"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tracker = build_demo(tmp_path_factory.mktemp("cold") / "demo.json", user="a.lado")
    yield tracker
    tracker.close()


@pytest.mark.parametrize("sort", SORT_COLUMNS)
@pytest.mark.parametrize("reverse", [True, False])
def test_cold_filter_equals_warm_filter(demo, sort, reverse):
    found_any = False
    for criteria in CRITERIA:
        cold = LadoData(demo)
        cold.sync(0)
        assert not cold.has_order(sort, reverse)
        got = filter_contacts(cold, criteria, sort, reverse)
        assert not cold.has_order(sort, reverse), "the first filter sorts its matches, not every record"
        warm = LadoData(demo)
        warm.sync(0)
        warm.order(sort, reverse)
        _ = warm.hay
        want = filter_contacts(warm, criteria, sort, reverse)
        assert got == want, (criteria, sort, reverse)
        found_any |= bool(got)
        # typing on from the cold result narrows it as it narrows the warm one
        more = Criteria(**{**criteria.__dict__, "text": (criteria.text + " a").strip()})
        assert filter_contacts(cold, more, sort, reverse) == filter_contacts(warm, more, sort, reverse)
    assert found_any


def test_the_background_index_still_gives_its_order_after_a_first_filter_made_every_search_text(demo):
    data = LadoData(demo)
    data.sync(0)
    built = data.build_index()                      # (as the worker does, before the filter below)
    filter_contacts(data, Criteria(text="school"))  # words only: every search text is made, and kept
    assert data._hay is not None and not data.has_order("received", True)
    data.set_index(built, data.version)
    assert data.has_order("received", True) and data.order("received", True) == built[1]
