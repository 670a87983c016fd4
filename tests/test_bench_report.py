"""The benchmarks' printed reports humanize sizes and durations; the JSON keeps the raw
numbers under the same keys (other tools read them)."""

import json

from kubetui.bench import report
from kubetui.bench.fleet import report as fleet_report


def test_sizes_and_durations_read_as_people_say_them():
    assert report.mib(412.3) == "412.3 MiB"
    assert report.kib(4.12) == "4.12 KiB"
    assert report.mib_change(-0.4) == "-409.60 KiB"
    assert report.seconds(1.234) == "1.23 seconds"
    assert report.ms(20.1) == "20.1 milliseconds"
    assert report.ms(0.05, 3) == "50 microseconds"


def test_goal_lines_keep_their_columns(capsys):
    fleet_report({"contexts": 3, "pods_per_context": 1000, "machine": "m",
                  "all_rows_s": 2.1, "rss_mb": 210.0, "idle_cpu_pct": 1.1, "pods_seen": 3000,
                  "rss_before_mb": 40.0, "threads": 12})
    goals = [ln for ln in capsys.readouterr().out.splitlines() if " goal " in ln]
    assert len(goals) == 3
    assert len({ln.index(" goal ") for ln in goals}) == 1, goals
    assert "2.10 seconds" in goals[0] and "210.0 MiB" in goals[1]


def test_the_json_keeps_the_raw_numbers(tmp_path):
    result = {"rss_mb": 210.04, "all_rows_s": 2.1, "gc_pause_ms": 8.44}
    path = tmp_path / "r.json"
    report.write_json(str(path), result)
    assert json.loads(path.read_text()) == result
