"""Just enough of Kubernetes' protobuf encoding to read the review requests kubectl sends
only as protobuf (`kubectl auth can-i`): the `k8s\\x00` envelope (runtime.Unknown) and
the wire format (varints and length-delimited fields). Other protobuf bodies are refused
in `http.py` with a message pointing to `kubectl apply -f`."""

from __future__ import annotations

MAGIC = b"k8s\x00"


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def fields(data: bytes) -> dict[int, list]:
    """field number -> values (ints for varints, bytes for length-delimited)."""
    out: dict[int, list] = {}
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        num, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            n, i = _varint(data, i)
            value, i = data[i:i + n], i + n
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        out.setdefault(num, []).append(value)
    return out


def _str(f: dict, num: int) -> str:
    return f.get(num, [b""])[0].decode()


def unwrap(body: bytes) -> tuple[str, str, bytes]:
    """(apiVersion, kind, raw message) from a `k8s\\x00` runtime.Unknown envelope."""
    if not body.startswith(MAGIC):
        raise ValueError("not a Kubernetes protobuf body")
    unknown = fields(body[len(MAGIC):])
    type_meta = fields(unknown.get(1, [b""])[0])
    return _str(type_meta, 1), _str(type_meta, 2), unknown.get(2, [b""])[0]


def review_spec(kind: str, raw: bytes) -> dict:
    """The JSON `spec` of a SelfSubjectAccessReview or SelfSubjectRulesReview."""
    spec = fields(fields(raw).get(2, [b""])[0])
    if kind == "SelfSubjectRulesReview":
        return {"namespace": _str(spec, 1)}
    if 1 in spec:
        ra = fields(spec[1][0])
        names = ("namespace", "verb", "group", "version", "resource", "subresource", "name")
        return {"resourceAttributes": {n: _str(ra, i + 1) for i, n in enumerate(names)}}
    nra = fields(spec.get(2, [b""])[0])
    return {"nonResourceAttributes": {"path": _str(nra, 1), "verb": _str(nra, 2)}}

