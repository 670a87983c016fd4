"""Small untracked msgspec structs that read like the JSON objects they were decoded
from: `get`, `[]`, `in`, `len`, iteration over the keys they have, `items()`, and
equality with a dict of the same keys and values. A field left unset (None) reads as a
missing key, as in the object the server sent.

Why: at 100,000 pods the many small dicts of each pod (its metadata, spec and status,
two container statuses, their states) were most of what its slim copy cost: a dict of
one key is 184 bytes, of eight 272; a struct is 16 bytes and 8 a field, with no gc
header. Code that reads pods goes on reading them as maps (`collections.abc.Mapping`, which
these register as), so a pod decoded the slow way (plain dicts) reads the same.

No gc header (gc=False) is safe because what they hold is JSON, a tree: no struct can be
part of a reference cycle."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

_STRUCT_EQ = msgspec.Struct.__eq__


class DictFace(msgspec.Struct, gc=False, omit_defaults=True):
    """The base: subclasses declare the keys they keep as fields, each defaulting to
    None (unset)."""

    def get(self, key: str, default: Any = None) -> Any:
        # (the hot path of every row, sort and lint pass: getattr first, then make sure a
        # method's name is not read as a key; asking the fields tuple first was twice as
        # slow, and a 10k-pod sort missed its frame)
        value = getattr(self, key, None)
        if value is None or key in _METHODS:
            return default
        return value

    def __getitem__(self, key: str) -> Any:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self.__struct_fields__:
            raise KeyError(f"{type(self).__name__} keeps no {key!r}")
        setattr(self, key, value)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        setattr(self, key, None)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        return (k for k in self.__struct_fields__ if getattr(self, k) is not None)

    def __len__(self) -> int:
        return sum(getattr(self, k) is not None for k in self.__struct_fields__)

    def keys(self) -> list[str]:
        return list(self)

    def values(self) -> list[Any]:
        return [getattr(self, k) for k in self]

    def items(self) -> list[tuple[str, Any]]:
        return [(k, getattr(self, k)) for k in self]

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):  # field by field, in C (compact_pod asks it a lot)
            equal: bool = _STRUCT_EQ(self, other)
            return equal
        if isinstance(other, DictFace) or isinstance(other, dict):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def as_dict(self) -> dict[str, Any]:
        """Plain dicts all the way down (for JSON, YAML, or a copy to change)."""
        return {k: as_plain(v) for k, v in self.items()}


def as_plain(value: Any) -> Any:
    """`value` with every DictFace in it turned into a dict (lists and dicts walked)."""
    if isinstance(value, DictFace):
        return value.as_dict()
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_plain(v) for v in value]
    return value


Mapping.register(DictFace)
_METHODS = frozenset(name for name in dir(DictFace) if not name.startswith("__"))
