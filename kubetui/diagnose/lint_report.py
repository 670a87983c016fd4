"""Findings as people and pipelines read them: text for a terminal (grouped by
severity, then rule), JSON (a list, one object per finding), markdown (for a pull
request or a CI summary), and the section describe and the checklist add."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby

from .lint_rules import ERROR, INFO, RANK, RULES, WARNING, Finding

MARK = {ERROR: "✖", WARNING: "▲", INFO: "•"}


def counts(findings: list[Finding]) -> dict[str, int]:
    out = {ERROR: 0, WARNING: 0, INFO: 0}
    for f in findings:
        out[f.severity] += 1
    return out


def summary(findings: list[Finding]) -> str:
    c = counts(findings)
    if not findings:
        return "no findings"
    parts = [f"{c[ERROR]} error{'s' if c[ERROR] != 1 else ''}",
             f"{c[WARNING]} warning{'s' if c[WARNING] != 1 else ''}", f"{c[INFO]} info"]
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: " + ", ".join(parts)


def grouped(findings: list[Finding]
            ) -> Iterator[tuple[str, list[tuple[str, list[Finding]]]]]:
    ordered = sorted(findings, key=lambda f: (RANK[f.severity], f.rule, f.namespace, f.name,
                                              f.container))
    for severity, by_severity in groupby(ordered, key=lambda f: f.severity):
        yield severity, [(rule, list(fs)) for rule, fs in groupby(by_severity,
                                                                   key=lambda f: f.rule)]


def text(findings: list[Finding], fixes: bool = False) -> str:
    out = []
    for severity, rules in grouped(findings):
        for rule, fs in rules:
            out.append(f"{MARK[severity]} {severity} {rule} ({len(fs)}): {RULES[rule].reason}")
            for f in fs:
                out.append(f"    {f.where}: {f.message}")
                for line in f.evidence:
                    out.append(f"        {line}")
                if fixes:
                    out.extend(f"        | {line}" for line in f.fix.rstrip().splitlines())
            out.append("")
    out.append(summary(findings))
    return "\n".join(out) + "\n"


def as_json(findings: list[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(findings: list[Finding]) -> str:
    out = ["## kubetui lint", "", summary(findings), ""]
    for severity, rules in grouped(findings):
        out += [f"### {severity}", "", "| rule | object | finding |", "|---|---|---|"]
        for rule, fs in rules:
            for f in fs:
                out.append(f"| `{rule}` | {f.kind} `{f.key}` | {_cell(f.message)} |")
        out.append("")
        for rule, fs in rules:
            out.append(f"<details><summary><code>{rule}</code>: {_cell(RULES[rule].reason)}"
                       "</summary>\n")
            for f in fs:
                out += [f"**{f.kind} `{f.key}`**: {_cell(f.message)}", ""]
                out += [f"- {_cell(line)}" for line in f.evidence]
                out += ["", "```yaml", f.fix.rstrip(), "```", ""]
            out.append("</details>\n")
    return "\n".join(out) + "\n"


def section(findings: list[Finding]) -> str:
    """The `Lint:` block at the end of a describe, or '' when there is nothing."""
    if not findings:
        return ""
    out = ["", "Lint (kubetui; y in :lint shows each fix):"]
    for f in findings:
        whose = "" if not f.kind else f"  [{f.kind} {f.name}]"
        out.append(f"  {f.severity:<8} {f.rule:<27} {f.message}{whose}")
        for line in f.evidence[:4]:
            out.append(f"  {'':<8} {'':<27}   {line}")
    return "\n".join(out) + "\n"


__all__ = ["MARK", "as_json", "counts", "markdown", "section", "summary", "text"]
