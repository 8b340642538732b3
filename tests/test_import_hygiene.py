import subprocess
import sys


def test_library_does_not_import_textual():
    code = "import sys, safeguard_tracker, safeguard_tracker.cli, safeguard_tracker.demo; " \
           "print([m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_word_and_its_xml_library_load_only_when_a_word_document_is_made():
    """python-docx and lxml cost every command (and every template worker, whose CPU and memory are budgeted)
    time and memory at start: they load only for --format docx."""
    code = "import sys, safeguard_tracker, safeguard_tracker.cli, safeguard_tracker.reports.render; " \
           "print([m for m in sys.modules if m.split('.')[0] in ('docx', 'lxml')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
