"""The compressed log buffer: lines keep their numbers, old blocks fall off, reading and
scanning work across blocks, and a million lines stay small."""

import random

from kubetui.kube.log_buffer import BLOCK, LogBuffer


def filled(n: int, max_lines: int = 1_000_000) -> LogBuffer:
    buf = LogBuffer(max_lines)
    buf.extend((f"pod-{i % 3}", f"2026-11-26T08:00:{i % 60:02d}Z", f"line {i}") for i in range(n))
    return buf


def test_lines_keep_their_numbers_across_blocks():
    buf = filled(3 * BLOCK + 10)
    assert len(buf) == 3 * BLOCK + 10 and buf.first == 0
    assert buf.get(0) == ("pod-0", "2026-11-26T08:00:00Z", "line 0")
    assert buf.get(BLOCK + 5)[2] == f"line {BLOCK + 5}"
    assert buf.get(3 * BLOCK + 9)[2] == f"line {3 * BLOCK + 9}"  # still in the open block
    assert [line[2] for line in buf][:3] == ["line 0", "line 1", "line 2"]


def test_scan_walks_both_ways_from_any_line():
    buf = filled(2 * BLOCK + 3)
    forward = [n for n, _ in buf.scan(BLOCK - 2)]
    assert forward[:4] == [BLOCK - 2, BLOCK - 1, BLOCK, BLOCK + 1]
    assert forward[-1] == 2 * BLOCK + 2
    backward = [n for n, line in buf.scan(BLOCK + 1, backwards=True)]
    assert backward[:3] == [BLOCK + 1, BLOCK, BLOCK - 1] and backward[-1] == 0
    assert all(buf.get(n)[2] == f"line {n}" for n in (0, BLOCK, 2 * BLOCK + 2))


def test_the_oldest_blocks_fall_off_and_numbers_stay():
    buf = filled(10 * BLOCK, max_lines=4 * BLOCK)
    assert 3 * BLOCK <= len(buf) <= 4 * BLOCK
    assert buf.dropped == buf.first == 10 * BLOCK - len(buf)
    assert buf.get(buf.first)[2] == f"line {buf.first}"
    try:
        buf.get(0)
    except IndexError:
        pass
    else:
        raise AssertionError("a dropped line was still readable")
    buf.clear()
    assert len(buf) == 0 and buf.end == 10 * BLOCK


def test_a_million_varied_lines_compress_well():
    rng = random.Random(1)
    paths = ["/api/cart", "/api/checkout", "/healthz", "/static/app.js", "/api/search?q=shoes"]
    buf = LogBuffer()
    for _ in range(200_000):
        buf.append("frontend-1", "", f'10.244.{rng.randint(0, 9)}.{rng.randint(1, 254)} - - '
                   f'"GET {rng.choice(paths)} HTTP/1.1" {rng.choice((200, 200, 304, 404, 500))} '
                   f'{rng.randint(100, 90000)} rt={rng.random():.3f} id={rng.getrandbits(64):016x}')
    per_line = buf.compressed_bytes() / len(buf)
    assert per_line < 60, per_line  # about 110 bytes of text each


def test_a_hint_skips_blocks_without_a_match_but_never_loses_a_line():
    import re

    buf = filled(5 * BLOCK)
    wanted = re.compile(r"line 3000\b")
    assert [n for n, line in buf.scan(hint=wanted) if wanted.search(line[2])] == [3000]
    anchored = re.compile(r"^line 4\d\d$")  # anchors see lines, not blocks: no skipping
    assert len([n for n, line in buf.scan(hint=anchored) if anchored.search(line[2])]) == 100
