"""The LADO's area: contacts and their casework, deadlines, pattern warnings, filters, the annual
statistics and report, privacy (retention, redaction), and contacts in and out of CSV and JSON.

Services here take a ``Context``; scripts reach them through ``Tracker``.
"""
