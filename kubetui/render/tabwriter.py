"""Go's text/tabwriter as kubectl sets it up (minwidth 0, padding 2, spaces): what
lines up `kubectl describe`. A cell is text ended by a tab; the text after a line's last
tab is not part of any column. Consecutive lines that have a cell in column k form a
block, and every cell of the block is padded to the block's widest cell plus 2, so a
line without that column (such as `Containers:`) ends the alignment above it."""

from __future__ import annotations

PADDING = 2


def tabwrite(text: str) -> str:
    """Align `text` (lines with tab-separated cells) as kubectl's describe output does."""
    lines = text.split("\n")
    cells = [line.split("\t") for line in lines]
    widths: list[list[int]] = [[] for _ in lines]

    def blocks(first: int, last: int, column: int) -> None:
        row = first
        while row < last:
            if column >= len(cells[row]) - 1:
                row += 1
                continue
            start, width = row, 0
            while row < last and column < len(cells[row]) - 1:
                width = max(width, len(cells[row][column]) + PADDING)
                row += 1
            for i in range(start, row):
                widths[i].append(width)
            blocks(start, row, column + 1)

    blocks(0, len(lines), 0)
    out = []
    for parts, w in zip(cells, widths, strict=False):
        out.append("".join(p.ljust(n) for p, n in zip(parts, w, strict=False)) + parts[-1])
    return "\n".join(out)
