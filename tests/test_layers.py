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
