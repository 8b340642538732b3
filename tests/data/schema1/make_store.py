"""Write a small store with the code of commit 41fed02 (schema 1: whole lists in each audit entry)."""
import sys, shutil
from datetime import date
from pathlib import Path
import safeguard_tracker as st

out = Path(sys.argv[1]); shutil.rmtree(out, ignore_errors=True); out.mkdir(parents=True)
t = st.open_tracker(out / "store.json", user="a.lado", today=lambda: date(2018, 6, 15))
c = t.add_contact(received_on="05/01/2018", agency="School - Primary", category="consultation",
                  summary="Invented allegation about a playground supervisor", subject_name="Quentin Marrowby",
                  subject_role="Lunchtime supervisor", employer="Hollyfield Primary", case_manager="Ivy Pennock")
ref = c.reference
t.escalate(ref, to="referral", reason="Further detail from the school", on="08/01/2018")
t.record_meeting(ref, kind="jem", held_on="10/01/2018", agencies_present=["Police", "Employer"],
                 decisions="Employer to investigate",
                 actions=[{"description": "Send the rota", "owner": "Head teacher", "due_on": "20/01/2018"},
                          {"description": "Check CCTV", "owner": "Police", "due_on": "25/01/2018"}])
t.record_meeting(ref, kind="jem_review", held_on="30/01/2018", agencies_present=["Employer"],
                 decisions="Await the report",
                 actions=[{"description": "Report to the LADO", "owner": "Head teacher", "due_on": "10/02/2018"}])
t.complete_meeting_action(ref, 1, 2, done_on="24/01/2018")
t.complete_meeting_action(ref, 2, 1, done_on="09/02/2018")
for i in range(1, 21):
    t.add_note(ref, f"Note {i}: an invented call with the school about the rota. " + "x" * 200)
other = t.add_contact(received_on="06/01/2018", agency="Police", category="enquiry", summary="A second invented contact",
                      subject_name="Rowena Tidwell")
t.add_note(other.reference, "Only note on the second contact")
t.close_contact(other.reference, outcome="advice_given", closed_on="20/01/2018")
t.redact_contact(other.reference)
r = t.add_review(name="Invented review Kestrel", kind="llr")
t.add_recommendation(r.reference, text="Share the rota", owner_agencies=["Police"])
t.add_recommendation(r.reference, text="Train the supervisors", owner_agencies=["Police"])
a = t.add_action(r.reference, 1, description="Write the rota guidance", lead_agency="Police", due="31/03/2018")
for i in range(1, 6):
    t.add_update(a.reference, f"Update {i} on the guidance")
t.revise_due(a.reference, "30/04/2018", "Waiting for the police")
t.record_evidence(a.reference, evidence="Guidance v2")
t.add_note(ref, "A last note, only in the journal")
print(ref, other.reference, a.reference, sorted(p.name for p in out.iterdir()))
