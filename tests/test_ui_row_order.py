"""The browser's row order (ui/row_order.RowOrder): a column sort orders the visible rows
by the column's values, ties by key, both reversed with the sort, the same order the
(value, key) pairs sorted had given, for any rows."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from kubetui.ui.row_order import RowOrder

ROWS = st.dictionaries(st.text("abc/-0", min_size=1, max_size=6),
                       st.tuples(st.sampled_from(["Running", "Pending", "Error", ""]),
                                 st.sampled_from(["0", "1 (5m ago)", "12", "x"]),
                                 st.floats(0, 1e9, allow_nan=False)), max_size=60)


def model(rows: dict) -> SimpleNamespace:
    return SimpleNamespace(
        rows=SimpleNamespace(column=lambda keys, i: [rows[k][i] for k in keys]),
        created={k: v[2] for k, v in rows.items()})


@given(ROWS, st.booleans())
def test_a_column_sort_orders_by_value_then_key_both_reversed_with_it(rows, reverse):
    order = RowOrder()
    order.visible = set(rows)
    m = model(rows)
    status = order._sorted(m, "STATUS", 0, reverse, {})
    assert status == [k for _, k in sorted(((rows[k][0], k) for k in rows), reverse=reverse)]
    restarts = order._sorted(m, "RESTARTS", 1, reverse, {})

    def number(text: str) -> int:
        digits = text.split(" ")[0]
        return int(digits) if digits.isdigit() else -1
    assert restarts == [k for _, k in sorted(((number(rows[k][1]), k) for k in rows),
                                             reverse=reverse)]
    age = order._sorted(m, "AGE", 2, reverse, {})  # newest first: by creation, negated
    assert age == [k for _, k in sorted(((-rows[k][2], k) for k in rows), reverse=reverse)]


class Rows(dict):
    """A view's rows as RowOrder reads them: keys, and a column of cells."""

    def column(self, keys, i):
        return [self[k][i] for k in keys]

    def text(self, key):
        return "\n".join(map(str, self[key]))


@given(ROWS, st.lists(st.tuples(st.sampled_from(["sort", "add", "remove"]),
                                st.text("abc/-0", min_size=1, max_size=6), st.booleans()),
                      max_size=12))
def test_sorting_again_after_rows_come_and_go_orders_the_rows_there_are_now(rows, steps):
    """A column sort keeps the visible keys sorted while they stay the same (pressing
    sort keys in turn sorts 100,000 keys once): a row added or removed must not leave
    the next sort on the old keys."""
    from kubetui.ui.navigation import Filter

    rows = Rows(rows)
    order = RowOrder()
    m = SimpleNamespace(rows=rows, created={k: v[2] for k, v in rows.items()})
    headers = ("STATUS", "RESTARTS", "AGE")
    order.update(m, Filter(), headers, "STATUS", False, True, set(), set(), {})
    for step, key, reverse in steps:
        changed: set[str] = set()
        removed: set[str] = set()
        if step == "add":
            rows[key] = ("Running", "0", 1.0)
            changed.add(key)
        elif step == "remove" and key in rows:
            del rows[key]
            removed.add(key)
        order.update(m, Filter(), headers, "STATUS", reverse, False, changed, removed, {})
        assert order.keys == [k for _, k in sorted(((rows[k][0], k) for k in rows),
                                                   reverse=reverse)]
