"""Re-importing a spreadsheet that never had references does not duplicate its contacts."""


ROWS = ("Received,Agency,Category,Summary,Employer\r\n"
        "05/01/2018,School - Primary,consultation,Pushed a pupil,Meadowbank Primary\r\n"
        "05/01/2018,School - Primary,consultation,Shouted at a pupil,Meadowbank Primary\r\n")


def test_reimport_without_references_matches_by_details(tracker, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text(ROWS)
    first = tracker.import_contacts(f)
    assert len(first.added) == 2
    again = tracker.import_contacts(f)
    assert again.added == () and set(again.already.values()) == set(first.added)
    assert len(tracker.contacts()) == 2
    # a new row in the same file is still added
    f.write_text(ROWS + "06/01/2018,School - Primary,consultation,Another concern,Meadowbank Primary\r\n")
    third = tracker.import_contacts(f)
    assert len(third.added) == 1 and len(tracker.contacts()) == 3


def test_date_and_agency_alone_do_not_merge_contacts(tracker, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("Received,Agency,Category\r\n05/01/2018,Police,enquiry\r\n")
    tracker.import_contacts(f)
    tracker.import_contacts(f)
    assert len(tracker.contacts()) == 2  # too little to know they are the same: the summary says so
