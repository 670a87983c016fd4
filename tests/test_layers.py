"""Layering: kube/, render/, diagnose/ and sim/ never import Textual; sim/ imports
nothing from kubetui but render/; render/ imports nothing else from kubetui."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "kubetui"


def test_core_packages_do_not_load_textual():
    modules = sorted(
        ".".join(("kubetui", *p.relative_to(ROOT).with_suffix("").parts))
        for package in ("kube", "render", "diagnose", "sim", "bench")
        for p in (ROOT / package).rglob("*.py") if p.name not in ("__main__.py",))
    modules = [m.removesuffix(".__init__") for m in modules]
    assert "kubetui.kube.cluster" in modules and "kubetui.sim.exec" in modules
    code = (f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}]; "
            "print([m for m in sys.modules if m.split('.')[0] == 'textual'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def _kubetui_imports(package: str) -> set[str]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            found |= {n for n in names if n.startswith("kubetui")}
    return found


def test_sim_uses_only_render_from_kubetui():
    assert {m for m in _kubetui_imports("sim") if not m.startswith(
        ("kubetui.sim", "kubetui.render"))} == set()


def test_kube_does_not_use_the_sim():
    assert {m for m in _kubetui_imports("kube") if m.startswith("kubetui.sim")} == set()


def test_render_is_a_leaf():
    assert {m for m in _kubetui_imports("render") if not m.startswith("kubetui.render")} == set()


def _module_imports() -> dict[str, set[str]]:
    """Every kubetui module and the kubetui modules it imports, at the top or inside a
    function (a deferred import is still a dependency); `if TYPE_CHECKING:` blocks are
    left out (they never run)."""
    names = {}
    for path in ROOT.rglob("*.py"):
        parts = ("kubetui", *path.relative_to(ROOT).with_suffix("").parts)
        names[".".join(parts).removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text())
        skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                and "TYPE_CHECKING" in ast.unparse(node.test)
                for child in node.body for n in ast.walk(child)}
        found = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in names else base
                          for a in node.names}
        graph[name] = {m for m in found if m in names and m != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    graph = _module_imports()
    assert "kubetui.ui.screens.checklist" in graph["kubetui.ui.app"]  # the walk sees
    assert _cycles(graph) == []  # deferred imports too
    # and it would see one: a module that imported its importer
    graph["kubetui.ui.screens.modals"] = {"kubetui.ui.app"}
    assert _cycles(graph)


def test_no_module_takes_another_modules_private_names():
    taken = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (
                    node.module or "").startswith("kubetui")):
                taken += [(path.name, a.name) for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert taken == []
