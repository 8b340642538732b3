"""CSV and JSON import and export: strict, all-or-nothing, defended against formula injection."""
