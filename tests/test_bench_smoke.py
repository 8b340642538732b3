"""The benchmark suite runs at 1,000 records, so it cannot rot.  No timing is asserted: only that every
measurement runs, beside its baseline, and yields a ratio (or says plainly why it cannot)."""

import json

import pytest

from benchmarks import run as bench

EXPECTED = {"1", "1b", "2", "3", "4", "4b", "5", "6", "7", "8", "9", "10", "11", "11b", "12", "12b", "12c", "12d"}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    out = bench.run([1000], repeat=1, workdir=folder, log=lambda m: None)
    assert not list(folder.iterdir()), "the benchmark leaves no data behind"
    return out


def test_every_measurement_has_a_row_with_a_ratio(result):
    rows = {r.id: r for r in result["rows"]}
    assert set(rows) == EXPECTED
    for r in result["rows"]:
        assert r.size == 1000
        assert r.available, f"#{r.id} {r.name}: {r.note}"
        assert r.value > 0 and r.baseline > 0 and r.ratio > 0, r
        assert r.samples, r
        if r.target is not None:
            assert r.met in (True, False)


def test_the_comparisons_with_1000_records_run_their_own_baseline(result):
    rows = {r.id: r for r in result["rows"]}
    for rid in ("2", "10"):
        assert rows[rid].baseline_samples and rows[rid].baseline_samples != rows[rid].samples


def test_the_table_and_the_json_name_the_machine_and_every_row(result, tmp_path, capsys):
    text = bench.table(result["rows"])
    for r in result["rows"]:
        assert f"| {r.id} | 1,000 |" in text
    m = result["machine"]
    assert m["nproc"] >= 1 and m["python"]
    out = tmp_path / "results.json"
    assert bench.main(["--sizes", "1000", "--repeat", "1", "--only", "open,edit", "--out", str(out),
                       "--workdir", str(tmp_path)]) == 0
    data = json.loads(out.read_text())
    assert {r["id"] for r in data["rows"]} == {"1", "1b", "2"}
    assert all(isinstance(r["ratio"], float) for r in data["rows"])
    assert "| 2 | 1,000 |" in capsys.readouterr().out


def test_bad_sizes_are_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        bench.main(["--sizes", "ten"])
    assert exc.value.code == 2
    assert "--sizes" in capsys.readouterr().err
