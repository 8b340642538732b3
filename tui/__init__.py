"""The Textual terminal UI for safeguard-tracker.  It calls the tracker API only."""
