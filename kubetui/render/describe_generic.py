"""kubectl's describe of a kind it has no describer for (`genericDescriber` in kubectl's
pkg/describe/describe.go), and so of an Event or a custom resource: the name, namespace,
labels and annotations, then every field of the object but those and managedFields,
keys sorted and turned into labels (`smartLabelFor`: `involvedObject` is "Involved
Object", `apiVersion` "API Version"), a map's fields two spaces in, a list's items one
after another, a value after a tab as Go's %v prints it (`<nil>` for a null)."""

from __future__ import annotations

from decimal import Decimal

from .describe_text import Writer, annotation_lines, labels
from .json_types import Obj

SKIP = (".metadata.managedFields", ".metadata.name", ".metadata.namespace",
        ".metadata.labels", ".metadata.annotations")
ACRONYMS = {"API", "URL", "UID", "OSB", "GUID"}


def generic(w: Writer, obj: Obj) -> None:
    meta = obj.get("metadata") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels(w, "Labels", meta.get("labels"))
    annotation_lines(w, "Annotations", meta.get("annotations"))
    content(w, 0, obj, "", SKIP)


def content(w: Writer, level: int, fields: Obj, prefix: str, skip: tuple[str, ...]) -> None:
    """printUnstructuredContent: `fields` sorted, but those whose path is in `skip`."""
    for field in sorted(fields):
        value, path = fields[field], f"{prefix}.{field}"
        if path in skip:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            content(w, level + 1, value, path, skip)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for item in value:
                if isinstance(item, dict):
                    content(w, level + 1, item, path, skip)
                else:
                    w.write(level + 1, f"{go_value(item)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{go_value(value)}\n")


def smart_label(field: str) -> str:
    """smartLabelFor: a key with anything but letters and '-' as it is; else its
    camel-case words (fatih/camelcase), each capitalised or, if a known acronym, upper."""
    if any(not c.isalpha() and c != "-" for c in field):
        return field
    runs: list[str] = []
    last = 0
    for c in field:
        cls = 1 if c.islower() else 2 if c.isupper() else 4
        if cls == last:
            runs[-1] += c
        else:
            runs.append(c)
        last = cls
    for i in range(len(runs) - 1):  # "PDFLoader": "PDF", "Loader"
        if runs[i][0].isupper() and runs[i + 1][0].islower():
            runs[i], runs[i + 1] = runs[i][:-1], runs[i][-1] + runs[i + 1]
    return " ".join(r.upper() if r.upper() in ACRONYMS else r[0].upper() + r[1:]
                    for r in runs if r)


def go_value(v: object) -> str:
    """A decoded JSON value as Go's %v prints it."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _go_float(v)
    if isinstance(v, list):
        return "[" + " ".join(go_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_value(v[k])}" for k in sorted(v)) + "]"
    return str(v)


def _go_float(x: float) -> str:
    """%v of a float64: its shortest digits, with an exponent below 1e-4 or from 1e6."""
    if x != x or x in (float("inf"), float("-inf")):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(x)]
    d = Decimal(repr(x)).normalize()
    if d.is_zero():
        return "-0" if repr(x).startswith("-") else "0"
    exp = d.adjusted()
    if exp < -4 or exp >= 6:
        sign, digits, _ = d.as_tuple()
        mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if digits[1:] else "")
        return f"{'-' if sign else ''}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return format(d, "f")
