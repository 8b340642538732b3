"""The benchmark suite runs at 1,000 records, so it cannot rot.  No timing is asserted: only that every
measurement runs, beside its baseline, and yields a ratio (or says plainly why it cannot)."""

import json
import pickle

import pytest

from benchmarks import run as bench

from benchmarks.measures import Row

EXPECTED = {"1", "1b", "1c", "2", "2b", "3", "4", "4b", "5", "6", "7", "8", "9", "9b", "10", "11", "11b", "12", "12b",
            "12c", "12d", "13", "14", *(f"14{k}" for k in "abcdefghij"), "15", "15b", "15c", "16"}


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
    for rid in ("2", "10", "14a", "14j"):
        assert rows[rid].baseline_samples and rows[rid].baseline_samples != rows[rid].samples


def test_every_kind_of_write_is_measured_and_the_worst_is_row_14(result):
    rows = {r.id: r for r in result["rows"]}
    kinds = [rows[f"14{k}"] for k in "abcdefghij"]
    assert len({r.name for r in kinds}) == len(kinds)
    for r in kinds:
        assert r.target == 2.0 and len(r.samples) == len(r.baseline_samples) >= 5, r
    worst = max(kinds, key=lambda r: r.ratio)
    assert rows["14"].ratio == worst.ratio and rows["14"].target == 2.0
    assert f"worst kind: {worst.name.split(': ', 1)[1]}" in rows["14"].note
    assert "the first add_contact took" in rows["14"].note and "first call" in rows["14a"].note


def test_the_cli_paths_run_as_whole_processes(result):
    rows = {r.id: r for r in result["rows"]}
    assert "referral" in rows["15"].name and "lado-annual" in rows["15b"].name
    assert rows["15"].target == rows["15b"].target == 1.5 and "open_tracker" in rows["15"].baseline_name
    assert rows["16"].target == 3.0 and "orjson.loads" in rows["16"].baseline_name
    assert "MB file" in rows["16"].note and "referrals listed" in rows["15"].note
    assert "--as-of" in rows["15c"].name and rows["15c"].target == 2.0 and "15b" in rows["15c"].baseline_name


def test_above_the_design_size_rows_are_information_and_the_rest_is_skipped(tmp_path, monkeypatch):
    """As at 1,000,000 records, here at 1,000 by moving the line: no target, and the skipped measurement logged."""
    monkeypatch.setattr(bench, "DESIGN_SIZE", 500)
    said: list[str] = []
    out = bench.run([1000], repeat=1, workdir=tmp_path, only={"check", "tinydb"}, log=said.append)
    assert [r.id for r in out["rows"]] == ["16"]
    row = out["rows"][0]
    assert row.available and row.target is None and row.met is None and row.note.startswith("information")
    assert any("tinydb: skipped above 500 records" in line for line in said), said


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


def test_an_unknown_measurement_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        bench.main(["--sizes", "1000", "--only", "open,wirtes"])
    assert exc.value.code == 2
    assert "wirtes" in capsys.readouterr().err


def test_a_body_past_what_orjson_takes_is_parsed_table_by_table(tmp_path, monkeypatch):
    """At 1,000,000 contacts the body passes 2 GiB, which orjson refuses at once: the baselines that parse the
    whole file then parse it table by table, to the same data (here with the limit moved down to a small store)."""
    import subprocess
    import sys

    from benchmarks import cli_paths, measures
    from safeguard_tracker.demo import DEMO_TODAY, build_demo
    store = tmp_path / "store.json"
    t = build_demo(store, contacts=200, today=DEMO_TODAY, user="bench.builder")
    t.store.compact()                  # every table in the snapshot, none left in the journal
    t.close()
    whole = measures.loads_body(store)
    assert len(whole["contacts"]) >= 200 and whole["audit"]
    monkeypatch.setattr(measures, "ORJSON_MAX_BYTES", 100)
    assert measures.loads_body(store) == whole
    for limit in ("100", str(10 ** 12)):
        out = subprocess.run([sys.executable, "-c", cli_paths.READ_WHOLE, str(store), limit], check=True,
                             capture_output=True, text=True).stdout
        assert int(out) == len(whole["contacts"])
