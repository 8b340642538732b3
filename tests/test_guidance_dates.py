"""The Panel duty began on 29/06/2018: reviews whose incident became known earlier get no Panel or rapid-review dates."""

from datetime import date, timedelta

import pytest

from safeguard_tracker.model import Review, ReviewKind
from safeguard_tracker.plans.plan_dates import PANEL_DUTY_FROM, review_deadlines, statutory_dates

BEFORE = PANEL_DUTY_FROM - timedelta(days=1)   # Thursday 28/06/2018


def _review(kind: ReviewKind = ReviewKind.SCR, **dates: date) -> Review:
    return Review(reference="R-2018-001", kind=kind, name="Test", **dates)


def test_the_duty_date_is_29_june_2018():
    assert PANEL_DUTY_FROM == date(2018, 6, 29)


@pytest.mark.parametrize("kind", [ReviewKind.SCR, ReviewKind.LCSPR, ReviewKind.RAPID_REVIEW])
@pytest.mark.parametrize("known,dated", [(BEFORE, False), (PANEL_DUTY_FROM, True), (date(2018, 7, 2), True),
                                         (date(2016, 9, 28), False)])
def test_panel_and_rapid_review_dates_from_the_duty_date(kind, known, dated):
    d = statutory_dates(_review(kind, known_on=known, notified_on=known + timedelta(days=3),
                                initiated_on=known + timedelta(days=40)))
    assert (d.notification_due is not None, d.rapid_review_due is not None) == (dated, dated)
    whats = {x.what for x in review_deadlines(_review(kind, known_on=known, notified_on=known + timedelta(days=3)))}
    assert ({"Panel notification", "Rapid review"} <= whats) == dated
    assert not whats & {"Panel notification", "Rapid review"} or dated


def test_the_known_date_falls_back_to_the_incident_then_the_notification():
    assert statutory_dates(_review(incident_on=BEFORE)).notification_due is None
    assert statutory_dates(_review(incident_on=PANEL_DUTY_FROM)).notification_due == date(2018, 7, 6)
    assert statutory_dates(_review(notified_on=BEFORE)).rapid_review_due is None
    assert statutory_dates(_review(notified_on=PANEL_DUTY_FROM)).rapid_review_due is not None
    # known_on decides even when the incident was earlier
    late = statutory_dates(_review(incident_on=BEFORE, known_on=PANEL_DUTY_FROM, notified_on=date(2018, 7, 5)))
    assert late.notification_due == date(2018, 7, 6) and late.rapid_review_due == date(2018, 7, 26)


def test_a_pre_duty_scr_keeps_its_publication_date():
    d = statutory_dates(_review(known_on=date(2017, 2, 20), notified_on=date(2017, 2, 24), initiated_on=date(2017, 4, 3)))
    assert (d.notification_due, d.rapid_review_due, d.publication_due) == (None, None, date(2017, 10, 3))
    assert [x.what for x in review_deadlines(_review(known_on=date(2017, 2, 20), initiated_on=date(2017, 4, 3)))] \
        == ["Publication"]


def test_the_demo_s_pre_2018_scrs_show_no_panel_or_rapid_review_dates(demo):
    scrs = [r for r in demo.reviews(kind="scr") if (r.known_on or r.incident_on or r.notified_on)
            and (r.known_on or r.incident_on or r.notified_on) < PANEL_DUTY_FROM]
    assert {r.name for r in scrs} >= {"Ellie", "Dawn", "Jay", "Skye"}
    for r in scrs:
        d = demo.statutory_dates(r)
        assert d.notification_due is None and d.rapid_review_due is None, r.title
        assert not {x.what for x in demo.review_deadlines(r)} & {"Panel notification", "Rapid review"}, r.title
    due = [i.what for i in demo.due() if i.area == "review"]
    assert not [w for w in due if "Panel notification" in w or "Rapid review" in w], due
    assert any("SCR Jay: Publication" in w for w in due)   # the publication date is still chased


def test_a_review_known_after_the_duty_date_is_chased_and_one_before_is_not(tmp_path):
    import safeguard_tracker as st
    with st.open_tracker(tmp_path / "store.json", user="a.subgroup", today=lambda: date(2019, 6, 14)) as t:
        old = t.add_review(name="Leo", kind="rapid review", known_on="24/05/2018", notified_on="29/05/2018")
        new = t.add_review(name="Kit", kind="rapid review", known_on="23/05/2019", notified_on="28/05/2019")
        items = {(i.reference, i.what.split(":")[1].split("(")[0].strip()): i for i in t.due()}
        assert items[(new.reference, "Rapid review")].due_on == date(2019, 6, 18)   # Spring bank holiday 27/05 skipped
        assert not [k for k in items if k[0] == old.reference]
