"""The benchmark suite runs at 1,000 records, so it cannot rot.  No timing is asserted: only that every
measurement runs, beside its baseline, and yields a ratio (or says plainly why it cannot)."""

import json
import pickle

import pytest

from benchmarks import run as bench

from benchmarks.measures import Row

EXPECTED = {"1", "1b", "1c", "2", "2b", "3", "4", "4b", "5", "6", "7", "8", "9", "9b", "10", "11", "11b", "12", "12b",
            "12c", "12d", "13"}


def _run(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("bench")
    out = bench.run([1000], repeat=1, workdir=folder, log=lambda m: None)
    assert not list(folder.iterdir()), "the benchmark leaves no data behind"
    return out


@pytest.fixture(scope="module")
def result(tmp_path_factory, request):
    """One run of every measurement at 1,000 records.  Under xdist the tests below may land on
    both workers: the first to need the run makes it and leaves it in the run's shared temp
    folder; the other waits for it (a lock, held while it runs) instead of running it again."""
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if worker is None:                                    # not under xdist: one process, one run
        return _run(tmp_path_factory)
    from filelock import FileLock
    shared = tmp_path_factory.getbasetemp().parent       # this run's folder, above every worker's own
    done = shared / "bench-smoke-result.pickle"
    with FileLock(str(shared / "bench-smoke-result.lock")):
        if done.is_file():
            return pickle.loads(done.read_bytes())
        out = _run(tmp_path_factory)
        done.write_bytes(pickle.dumps(out))
        return out


def test_every_measurement_has_a_row_with_a_ratio(result):
    rows = {r.id: r for r in result["rows"]}
    assert set(rows) == EXPECTED
    for r in result["rows"]:
        assert r.size == 1000
        assert r.available, f"#{r.id} {r.name}: {r.note}"
        assert r.value > 0 and r.baseline > 0 and r.ratio > 0, r
        assert r.samples, r
        if r.target is None:
            assert r.met is None, r
        else:
            want = r.ratio >= r.target if r.kind == "speed-up" else r.ratio <= r.target
            assert r.met is want, r


def test_met_is_the_ratio_against_the_target():
    slow = Row("x", "m", 1000, "b", target=2.0, value=3.0, baseline=1.0)
    assert slow.ratio == 3.0 and slow.met is False
    assert Row("x", "m", 1000, "b", target=2.0, value=2.0, baseline=1.0).met is True        # on the line: met
    assert Row("x", "m", 1000, "b", target=50.0, kind="speed-up", value=0.01, baseline=1.0).met is True
    assert Row("x", "m", 1000, "b", target=50.0, kind="speed-up", value=0.1, baseline=1.0).met is False
    assert Row("x", "m", 1000, "b", value=3.0, baseline=1.0).met is None                      # information only
    assert Row("x", "m", 1000, "b", target=2.0, value=3.0).met is None                        # no baseline


def test_the_edits_include_a_compaction_on_both_sides(result):
    rows = {r.id: r for r in result["rows"]}
    assert "this store (yes) and the baseline's (yes)" in rows["2"].note
    assert rows["2b"].value == max(rows["2"].samples) and rows["2b"].baseline == max(rows["2"].baseline_samples)


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
    assert {r["id"] for r in data["rows"]} == {"1", "1b", "1c", "2", "2b"}
    assert all(isinstance(r["ratio"], float) for r in data["rows"])
    assert all(r["met"] is (None if r["target"] is None else r["ratio"] <= r["target"]) for r in data["rows"])
    assert "| 2 | 1,000 |" in capsys.readouterr().out


def test_bad_sizes_are_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        bench.main(["--sizes", "ten"])
    assert exc.value.code == 2
    assert "--sizes" in capsys.readouterr().err
