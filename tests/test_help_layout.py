"""The help's keys and their text in two columns, at 80 columns too: the sort letters
(`N A S R T I O P C M`) ran into their text, and a wrapped line began at the left edge."""

from __future__ import annotations

from rich.console import Console

from kubetui.ui.screens.help import help_body

GROUPS = [("View", [
    ("N A S R T I O P C M", "Sort by name, age, status, ready, restarts, IP, node, "
                            "CPU, memory (again: reverse)"),
    ("d", "Describe"),
    ("/", "Filter the rows: a regex, -l a label selector, -f fuzzy, ! to invert"),
])]


def lines(width: int) -> list[str]:
    console = Console(width=width, color_system=None)
    with console.capture() as captured:
        console.print(help_body(GROUPS))
    return [line.rstrip() for line in captured.get().splitlines()]


def test_keys_and_their_text_stay_in_their_columns_when_lines_wrap():
    for width in (76, 158):
        out = lines(width)
        assert out[0] == "View"
        assert out[1].startswith("  N A S R T I O P C M  "), out
        start = out[1].index("Sort by name")
        rows = [line for line in out[1:] if line]
        assert len(rows) == (5 if width < 80 else 3), out  # (two rows wrap at 76)
        for line in rows:  # a key in the keys' column, or none: the text's column
            assert line[:2] == "  " and line[start - 2:start] == "  " and line[start] != " ", \
                out
            assert len(line) <= width
