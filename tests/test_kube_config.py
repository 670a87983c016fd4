"""Kubeconfig the way kubectl reads it: split files, first file wins, missing files, a
clusters folder, relative certificate paths, and exec plugins that fail."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest
import yaml
from conftest import FAST

from kubetui.kube.client import KubeClient
from kubetui.kube.config import KubeConfigError, kubeconfig_paths, load_kubeconfig
from kubetui.sim import SimCluster


def write(path, doc: dict) -> str:
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def one_cluster(name: str, server: str = "https://127.0.0.1:6443", user: dict | None = None,
                cluster: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Config", "current-context": name,
            "clusters": [{"name": name, "cluster": {"server": server, **(cluster or {})}}],
            "users": [{"name": f"{name}-user", "user": user or {"token": "t"}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": f"{name}-user"}}]}


def test_split_files_merge_and_each_context_keeps_its_file(tmp_path):
    a = write(tmp_path / "cluster-a", one_cluster("a", "https://a.example:6443"))
    b = write(tmp_path / "cluster-b", one_cluster("b", "https://b.example:6443"))
    kc = load_kubeconfig(kubeconfig_paths(env={"KUBECONFIG": f"{a}:{b}"}))
    assert {c: kc.contexts[c].source for c in kc.contexts} == {"a": a, "b": b}
    assert kc.current_context == "a"  # the first file to set it wins
    assert kc.context("b").server == "https://b.example:6443"


def test_the_first_file_wins_for_a_name_defined_twice(tmp_path):
    first = write(tmp_path / "one", one_cluster("prod", "https://first:6443"))
    second = write(tmp_path / "two", one_cluster("prod", "https://second:6443"))
    kc = load_kubeconfig([first, second])
    assert kc.context("prod").server == "https://first:6443"
    assert kc.context("prod").source == first


def test_a_missing_file_in_the_list_is_skipped(tmp_path):
    real = write(tmp_path / "real", one_cluster("real"))
    kc = load_kubeconfig([str(tmp_path / "gone"), real])
    assert kc.missing == [str(tmp_path / "gone")] and "real" in kc.contexts


def test_clusters_dir_adds_every_file(tmp_path):
    folder = tmp_path / "clusters"
    folder.mkdir()
    for n in ("cluster1", "cluster2", "cluster3"):
        write(folder / n, one_cluster(n))
    (folder / ".hidden").write_text("not: a kubeconfig")
    kc = load_kubeconfig(kubeconfig_paths(env={}, clusters_dir=str(folder)))
    assert sorted(kc.contexts) == ["cluster1", "cluster2", "cluster3"]
    with pytest.raises(KubeConfigError, match="not a folder"):
        kubeconfig_paths(env={}, clusters_dir=str(tmp_path / "nope"))


@pytest.fixture(scope="module")
def tls_sim():
    cluster = SimCluster(None, speed=FAST, tls=True).start()
    yield cluster
    cluster.stop()


def test_relative_certificate_path_resolves_against_its_own_file(tls_sim, tmp_path,
                                                                 monkeypatch):
    folder = tmp_path / "kube"
    folder.mkdir()
    (folder / "ca.crt").write_bytes(tls_sim.ca_pem)
    doc = one_cluster("tls", tls_sim.url, user={"token": tls_sim.auth.admin_token},
                      cluster={"certificate-authority": "ca.crt"})
    path = write(folder / "config", doc)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    client = KubeClient.connect(load_kubeconfig([write(tmp_path / "first", one_cluster("x")),
                                                 path]), "tls")
    try:
        assert client.version()["gitVersion"].startswith("v1.36")
    finally:
        client.close()


def plugin_user(command: str, args: list[str] | None = None) -> dict:
    return {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                     "command": command, "args": args or [], "interactiveMode": "Never"}}


def test_missing_exec_plugin_is_one_clear_line(tmp_path):
    path = write(tmp_path / "eks", one_cluster("eks", user=plugin_user("aws-no-such-binary",
                                                                     ["eks", "get-token"])))
    with pytest.raises(KubeConfigError) as info:
        KubeClient.connect(load_kubeconfig([path]), "eks")
    text = str(info.value)
    assert 'exec plugin "aws-no-such-binary"' in text and path in text
    assert "not installed or not on PATH" in text and "\n" not in text


def test_failing_exec_plugin_says_its_error(tmp_path):
    script = tmp_path / "get-token"
    script.write_text("#!/bin/sh\necho 'token expired: run sso login' >&2\nexit 3\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    path = write(tmp_path / "gke", one_cluster("gke", user=plugin_user(str(script))))
    with pytest.raises(KubeConfigError) as info:
        KubeClient.connect(load_kubeconfig([path]), "gke")
    assert "process returned 3" in str(info.value) and "token expired" in str(info.value)


def test_working_exec_plugin_gets_a_token_through(tls_sim, tmp_path):
    token = tls_sim.auth.admin_token
    script = tmp_path / "get-token"
    script.write_text("#!/bin/sh\ncat <<'EOF'\n" + json.dumps({
        "apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
        "status": {"token": token}}) + "\nEOF\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    ca = base64.b64encode(tls_sim.ca_pem).decode()
    path = write(tmp_path / "sso", one_cluster("sso", tls_sim.url, user=plugin_user(str(script)),
                                              cluster={"certificate-authority-data": ca}))
    client = KubeClient.connect(load_kubeconfig([path]), "sso")
    try:
        assert client.get_json("/api/v1/namespaces")["items"]
    finally:
        client.close()
    assert os.path.exists(path)
