"""Command-line behaviour a user meets first."""

import socket
import subprocess
import sys


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "kubetui", *args], capture_output=True,
                          text=True, timeout=60, env=env)


def test_no_kubeconfig_says_so_and_suggests_demo(tmp_path):
    proc = run(env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 1
    assert "no kubeconfig found" in proc.stderr and "kubetui --demo" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_broken_kubeconfig_names_the_file(tmp_path):
    bad = tmp_path / "config"
    bad.write_text("apiVersion: v1\nclusters: [\n")
    proc = run("--kubeconfig", str(bad))
    assert proc.returncode == 1 and str(bad) in proc.stderr and "Traceback" not in proc.stderr


def test_sim_on_a_busy_port_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        proc = run("sim", "--port", str(s.getsockname()[1]))
    assert proc.returncode == 1
    assert "already in use" in proc.stderr and "Traceback" not in proc.stderr


def test_version():
    assert run("--version").stdout.startswith("kubetui ")
