"""benchmarks/curve.py draws time against size on log-log axes, one line per measurement, as plain SVG."""

import json
import math
import xml.etree.ElementTree as ET

import pytest

from benchmarks import curve

NS = {"s": "http://www.w3.org/2000/svg"}


def _row(rid, size, value, unit="s", name="m"):
    return {"id": rid, "name": name, "size": size, "value": value, "unit": unit}


ROWS = [
    # open: ten times slower per tenfold size (a straight line of slope 1)
    _row("1", 1_000, 0.01), _row("1", 10_000, 0.1), _row("1", 100_000, 1.0), _row("1", 1_000_000, 10.0),
    # one write: the same at every size
    _row("14", 1_000, 0.002), _row("14", 100_000, 0.002), _row("14", 1_000_000, 0.002),
    # check: three sizes, uneven steps in time
    _row("16", 1_000, 0.05), _row("16", 100_000, 0.5), _row("16", 1_000_000, 20.0),
    _row("8", 1_000, 60.0, unit="MB"), _row("8", 100_000, 900.0, unit="MB"),        # not a time: not drawn
    _row("7", 1_000, 0.003),                                                         # one size only: not drawn
]


def _parse(text):
    root = ET.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def _points(polyline):
    return [tuple(map(float, p.split(","))) for p in polyline.get("points").split()]


def test_one_line_per_measurement_with_seconds_at_two_sizes():
    lines = curve.series(ROWS)
    assert [s.id for s in lines] == ["1", "14", "16"]          # the default lines' order; MB and one-size rows out
    root = _parse(curve.svg(lines))
    groups = root.findall("s:g[@class='series']", NS)
    assert [g.get("data-id") for g in groups] == ["1", "14", "16"]
    for g, line in zip(groups, lines):
        polylines = g.findall("s:polyline", NS)
        assert len(polylines) == 1 and len(_points(polylines[0])) == len(line.points)
    assert len(root.findall(".//s:polyline", NS)) == 3


def test_positions_follow_log10_of_size_and_time():
    lines = curve.series(ROWS)
    root = _parse(curve.svg(lines))
    by_id = {g.get("data-id"): _points(g.find("s:polyline", NS)) for g in root.findall("s:g[@class='series']", NS)}
    opens = by_id["1"]
    xs = [x for x, _ in opens]
    ys = [y for _, y in opens]
    # each tenfold step in size is the same distance across, each tenfold step in time the same distance up
    steps_x = [b - a for a, b in zip(xs, xs[1:])]
    steps_y = [a - b for a, b in zip(ys, ys[1:])]                  # SVG's y grows downwards
    assert all(s > 0 for s in steps_x + steps_y)
    assert max(steps_x) - min(steps_x) < 0.5 and max(steps_y) - min(steps_y) < 0.5
    # 1,000 -> 100,000 is twice as far across as 1,000 -> 10,000; 0.05 s -> 20 s is log10(400) decades up
    per_decade_x, per_decade_y = steps_x[0], steps_y[0]
    checks = by_id["16"]
    assert checks[1][0] - checks[0][0] == pytest.approx(2 * per_decade_x, abs=0.2)
    assert checks[0][1] - checks[2][1] == pytest.approx(math.log10(20.0 / 0.05) * per_decade_y, abs=0.2)
    # a flat line stays flat
    assert len({y for _, y in by_id["14"]}) == 1


def test_axes_ticks_legend_and_words_for_screen_readers():
    lines = curve.series(ROWS)
    root = _parse(curve.svg(lines))
    assert root.find("s:title", NS).text and "log" in root.find("s:desc", NS).text.lower()
    assert "1M records 10 s" in root.find("s:desc", NS).text
    x_ticks = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "x-tick"]
    y_ticks = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "y-tick"]
    assert x_ticks == ["1k", "10k", "100k", "1M"]
    assert y_ticks == ["1 ms", "10 ms", "100 ms", "1 s", "10 s", "100 s"]
    labels = {t.get("class"): t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "Contacts" in labels["x-label"] and "time" in labels["y-label"].lower()
    legend = root.find("s:g[@class='legend']", NS)
    assert [t.text for t in legend.findall("s:text", NS)] == [s.label for s in lines]


def test_the_command_merges_results_files(tmp_path, capsys):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps({"rows": [r for r in ROWS if r["size"] <= 100_000]}))
    second.write_text(json.dumps({"rows": [r for r in ROWS if r["size"] > 100_000] + [_row("1", 1_000, 0.02)]}))
    out = tmp_path / "curve.svg"
    assert curve.main([str(first), str(second), "-o", str(out)]) == 0
    root = _parse(out.read_text())
    assert len(root.findall(".//s:polyline", NS)) == 3
    rows = {(r["id"], r["size"]): r["value"] for r in curve.load([first, second])}
    assert rows[("1", 1_000)] == 0.02 and rows[("1", 1_000_000)] == 10.0     # the later file's figure wins
    assert curve.main([str(first), "-o", str(out), "--ids", "16"]) == 0
    assert len(_parse(out.read_text()).findall(".//s:polyline", NS)) == 1


def test_nothing_to_draw_is_said():
    assert curve.series([_row("7", 1_000, 0.003)]) == []
    with pytest.raises(ValueError):
        curve.svg([])
