"""The lint's configuration: the `[lint]` table of config.toml (`LintConfig.from_table`)
turns rules off, everywhere or per namespace; rules about app pods skip the system
namespaces."""

from __future__ import annotations

from dataclasses import dataclass, field

from .lint_rules import RULES, Rule

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")


@dataclass(frozen=True)
class LintConfig:
    disabled: frozenset[str] = frozenset()
    namespaces: dict[str, frozenset[str]] = field(default_factory=dict)  # ns -> disabled
    system_namespaces: frozenset[str] = frozenset(SYSTEM_NAMESPACES)
    live: bool = True  # the app checks as it watches (markers, :lint)

    def enabled(self, rule: str, namespace: str = "") -> bool:
        if rule in self.disabled:
            return False
        off = self.namespaces.get(namespace)
        if off is not None and (rule in off or "*" in off):
            return False
        return not (RULES[rule].app_only and namespace in self.system_namespaces)

    def rules(self) -> list[Rule]:
        """The rules on somewhere (what needs reading)."""
        return [r for r in RULES.values() if r.id not in self.disabled]

    @classmethod
    def from_table(cls, table: object) -> tuple["LintConfig", list[str]]:
        """The `[lint]` table of config.toml:

            [lint]
            disabled = ["latest-tag"]            # rule ids, everywhere
            system_namespaces = ["kube-system"]  # app-pod rules skip these
            live = true                          # check in the app as it watches

            [lint.namespaces.legacy]
            disabled = ["nodeport"]              # or ["*"]: nothing in legacy

        Returns the config and what was wrong with the table (each ignored)."""
        problems: list[str] = []
        if not table:
            return cls(), problems
        if not isinstance(table, dict):
            return cls(), ["[lint] should be a table; ignored"]

        def ids(value: object, where: str) -> frozenset[str]:
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                problems.append(f"{where} should be a list of rule ids; ignored")
                return frozenset()
            unknown = [x for x in value if x not in RULES and x != "*"]
            if unknown:
                problems.append(f"{where}: no rule {', '.join(map(repr, unknown))} "
                                f"(rules: {', '.join(RULES)})")
            return frozenset(x for x in value if x in RULES or x == "*")

        disabled = ids(table.get("disabled", []), "[lint] disabled")
        per_ns: dict[str, frozenset[str]] = {}
        namespaces = table.get("namespaces", {})
        if not isinstance(namespaces, dict):
            problems.append("[lint.namespaces] should be tables of namespaces; ignored")
            namespaces = {}
        for ns, sub in namespaces.items():
            if not isinstance(sub, dict):
                problems.append(f"[lint.namespaces.{ns}] should be a table; ignored")
                continue
            per_ns[str(ns)] = ids(sub.get("disabled", []), f"[lint.namespaces.{ns}] disabled")
        system = table.get("system_namespaces", list(SYSTEM_NAMESPACES))
        if not isinstance(system, list):
            problems.append("[lint] system_namespaces should be a list; ignored")
            system = list(SYSTEM_NAMESPACES)
        live = table.get("live", True)
        if not isinstance(live, bool):
            problems.append("[lint] live should be true or false; ignored")
            live = True
        for key in set(table) - {"disabled", "namespaces", "system_namespaces", "live"}:
            problems.append(f"[lint] has no setting {key!r}; ignored")
        return cls("*" in disabled and frozenset(RULES) or disabled, per_ns,
                   frozenset(map(str, system)), live), problems

    def reads(self) -> set[str]:
        """The kinds the enabled rules read."""
        return {k for r in self.rules() for k in r.reads}


__all__ = ["LintConfig", "SYSTEM_NAMESPACES"]
