"""The config file (`~/.config/kubetui/config.toml`) against its typed schema: every field
read, a wrong type or an unknown key reported with where it is and ignored alone (the
rest of the file still applies), a file that is not UTF-8 or not TOML reported, a
missing file silent. Never fatal."""

from __future__ import annotations

import math

import pytest

from kubetui.ui.config import Config, load_config

EVERYTHING = '''
theme = "dracula"
readonly = true
refresh_hz = 12.5
favorites = ["shop", "payments"]
debug_image = "alpine:3.20"

[contexts.prod]
namespace = "payments"

[contexts.staging]
namespace = "shop"

[keymap]
"browser.describe" = "D"
"app.quit" = "ctrl+q"
'''


def write(tmp_path, text: str | bytes):
    path = tmp_path / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_every_field_is_read(tmp_path):
    cfg = load_config(write(tmp_path, EVERYTHING))
    assert cfg.problems == []
    assert cfg.theme == "dracula"
    assert cfg.readonly is True
    assert cfg.refresh_hz == 12.5
    assert cfg.favorites == ["shop", "payments"]
    assert cfg.debug_image == "alpine:3.20"
    assert cfg.context_namespaces == {"prod": "payments", "staging": "shop"}
    assert cfg.keymap == {"browser.describe": "D", "app.quit": "ctrl+q"}


def test_a_missing_file_gives_the_defaults_silently(tmp_path):
    cfg = load_config(tmp_path / "nowhere" / "config.toml")
    assert cfg.problems == []
    assert (cfg.theme, cfg.readonly, cfg.refresh_hz, cfg.favorites, cfg.debug_image,
            cfg.context_namespaces, cfg.keymap) == (None, False, 30.0, [], "busybox:1.36",
                                                    {}, {})


@pytest.mark.parametrize("text", ["", "readonly = true\n", "# only a comment\n",
                                  "favorites = []\n"])
def test_a_file_without_theme_or_any_field_says_nothing(tmp_path, text):
    assert load_config(write(tmp_path, text)).problems == []


def test_an_integer_rate_is_a_number(tmp_path):
    assert load_config(write(tmp_path, "refresh_hz = 5\n")).refresh_hz == 5.0


@pytest.mark.parametrize("text,where,default_of", [
    ('theme = 3', "theme", ("theme", None)),
    ('readonly = "yes"', "readonly", ("readonly", False)),
    ('refresh_hz = true', "refresh_hz", ("refresh_hz", 30.0)),
    ('refresh_hz = "fast"', "refresh_hz", ("refresh_hz", 30.0)),
    ('favorites = "shop"', "favorites", ("favorites", [])),
    ('debug_image = ["busybox"]', "debug_image", ("debug_image", "busybox:1.36")),
    ('contexts = 3', "contexts", ("context_namespaces", {})),
    ('keymap = ["D"]', "keymap", ("keymap", {})),
])
def test_a_wrong_type_is_reported_where_it_is_and_ignored_alone(tmp_path, text, where,
                                                                 default_of):
    # a good line for another field: the rest of the file must still apply
    good, check = ('readonly = true', ("readonly", True)) if where == "theme" else (
        'theme = "k9s"', ("theme", "k9s"))
    cfg = load_config(write(tmp_path, f"{good}\n{text}\n"))
    assert len(cfg.problems) == 1, cfg.problems
    problem = cfg.problems[0]
    assert problem.startswith(f"{tmp_path / 'config.toml'}: {where}: expected ")
    assert problem.endswith("; ignored")
    field, default = default_of
    assert getattr(cfg, field) == default
    assert getattr(cfg, check[0]) == check[1]


def test_a_wrong_list_item_or_entry_is_dropped_alone(tmp_path):
    cfg = load_config(write(tmp_path, '''
favorites = ["shop", 3, "payments"]
[contexts.prod]
namespace = 7
[contexts.dev]
namespace = "shop"
[keymap]
"browser.describe" = "D"
"browser.yaml" = 1
'''))
    assert cfg.favorites == ["shop", "payments"]
    assert cfg.context_namespaces == {"dev": "shop"}
    assert cfg.keymap == {"browser.describe": "D"}
    assert sorted(p.split(": ", 2)[1] for p in cfg.problems) == [
        "contexts.prod.namespace", "favorites[1]", "keymap.browser.yaml"]


def test_unknown_keys_are_reported_and_ignored(tmp_path):
    cfg = load_config(write(tmp_path, '''
theme = "k9s"
thmee = "dracula"
[contexts.prod]
nmespace = "payments"
'''))
    assert cfg.theme == "k9s"
    assert cfg.context_namespaces == {}
    assert sorted(cfg.problems) == sorted([
        f"{tmp_path / 'config.toml'}: thmee: unknown key; ignored",
        f"{tmp_path / 'config.toml'}: contexts.prod.nmespace: unknown key; ignored"])


def test_refresh_rate_out_of_range_is_clamped_and_said(tmp_path):
    cfg = load_config(write(tmp_path, "refresh_hz = 500\n"))
    assert cfg.refresh_hz == 60.0 and "refresh_hz" in cfg.problems[0]
    cfg = load_config(write(tmp_path, "refresh_hz = 0\n"))
    assert cfg.refresh_hz == 1.0 and "refresh_hz" in cfg.problems[0]
    cfg = load_config(write(tmp_path, "refresh_hz = nan\n"))
    assert cfg.refresh_hz == 30.0 and not math.isnan(cfg.refresh_hz)
    assert "refresh_hz" in cfg.problems[0]


def test_more_than_nine_favourites_keep_the_first_nine(tmp_path):
    names = [f"ns{i}" for i in range(12)]
    cfg = load_config(write(tmp_path, f"favorites = {names!r}\n".replace("'", '"')))
    assert cfg.favorites == names[:9]
    assert len(cfg.problems) == 1 and "favorites" in cfg.problems[0]


@pytest.mark.parametrize("data", [
    'theme = "caf\u00e9"\n'.encode("latin-1"),  # an editor that saved Latin-1
    'theme = "k9s"\n'.encode("utf-16"),  # Windows "Unicode"
    b'theme = "\xff\xfe\xfa"\n',
])
def test_a_file_that_is_not_utf8_is_reported_not_fatal(tmp_path, data):
    cfg = load_config(write(tmp_path, data))
    assert len(cfg.problems) == 1
    assert "not UTF-8" in cfg.problems[0] and "using the defaults" in cfg.problems[0]
    assert cfg.theme is None and cfg.refresh_hz == 30.0


def test_a_utf8_byte_order_mark_is_fine(tmp_path):
    cfg = load_config(write(tmp_path, '\ufefftheme = "k9s"\n'.encode("utf-8")))
    assert cfg.problems == [] and cfg.theme == "k9s"


def test_a_file_that_is_not_toml_is_reported(tmp_path):
    cfg = load_config(write(tmp_path, "theme = \n[[[\n"))
    assert len(cfg.problems) == 1 and "using the defaults" in cfg.problems[0]
    assert cfg == Config(path=cfg.path, problems=cfg.problems)


def test_a_folder_where_the_file_should_be_is_reported(tmp_path):
    (tmp_path / "config.toml").mkdir()
    cfg = load_config(tmp_path / "config.toml")
    assert len(cfg.problems) == 1 and "using the defaults" in cfg.problems[0]
