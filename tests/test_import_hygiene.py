import subprocess
import sys


def test_library_does_not_import_textual():
    code = "import sys, safeguard_tracker, safeguard_tracker.cli, safeguard_tracker.demo; " \
           "print([m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
