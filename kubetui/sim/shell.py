"""The tiny shell that answers `kubectl exec` inside a simulated container: `sh -c`,
`;`, `&&`, `||`, `$VAR`, `$?`, and a small command set (echo, env, printenv, cat, ls,
hostname, ps, pwd, id, whoami, uname, date, true, false, sleep, exit N) over the pod's
fake filesystem. Pure: no I/O beyond the `Container` it is given."""

from __future__ import annotations

import posixpath
import re
import shlex
import time
from dataclasses import dataclass, field

NOT_FOUND = 127
CANNOT_EXEC = 126


@dataclass
class Container:
    """What a shell can see inside one container."""
    hostname: str
    env: dict[str, str]
    files: dict[str, str]
    command: str = "sleep infinity"
    shells: tuple[str, ...] = ("sh",)  # which shells the image has (none for distroless)
    cwd: str = "/"
    started: float = field(default_factory=time.time)
    # what `ps` lists after PID 1 (`command`); a debug container sharing a target's
    # PID namespace sees the target's process as PID 1 and its own shell after it
    processes: tuple[str, ...] = ()

    def dirs(self) -> set[str]:
        out = {"/"}
        for path in self.files:
            d = posixpath.dirname(path)
            while d not in out:
                out.add(d)
                d = posixpath.dirname(d)
        return out | {"/bin", "/dev", "/etc", "/home", "/proc", "/root", "/tmp", "/usr", "/var"}


@dataclass
class Result:
    out: str = ""
    err: str = ""
    code: int = 0
    exited: bool = False  # `exit` ran: the shell ends


_VAR = re.compile(r"\$(\?|[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})")


class Shell:
    def __init__(self, c: Container, name: str = "sh"):
        self.c = c
        self.name = name
        self.status = 0

    # -- scripts
    def run_script(self, script: str, stdin: str = "") -> Result:
        total = Result()
        for line in script.replace("\r", "").split("\n"):
            r = self.run_line(line, stdin)
            total.out += r.out
            total.err += r.err
            total.code = r.code
            if r.exited:
                total.exited = True
                break
        return total

    def run_line(self, line: str, stdin: str = "") -> Result:
        total = Result(code=self.status)
        for op, pipeline in _split(line):
            if op == "&&" and self.status != 0 or op == "||" and self.status == 0:
                continue
            data, r = stdin, Result()
            for words in pipeline:
                r = self._redirected([self._expand(w) for w in words], data)
                total.err += r.err
                data = r.out
            total.out += r.out
            total.code = self.status = r.code
            if r.exited:
                total.exited = True
                break
        return total

    def _redirected(self, words: list[str], stdin: str) -> Result:
        """Run one command with `>&2`, `2>&1`, `> file`, `>> file` applied."""
        argv: list[str] = []
        moves: list = []
        target = None
        it = iter(range(len(words)))
        for i in it:
            w = words[i]
            if w == ">&" and i + 1 < len(words):
                fd_from = argv.pop() if argv and argv[-1] in ("1", "2") and i > 0 and \
                    words[i - 1] == argv[-1] else "1"
                moves.append((fd_from, words[i + 1]))
                next(it, None)
            elif w in (">", ">>") and i + 1 < len(words):
                target = (words[i + 1], w == ">>")
                next(it, None)
            else:
                argv.append(w)
        r = self.run(argv, stdin)
        for fd_from, fd_to in moves:
            if (fd_from, fd_to) == ("1", "2"):
                r.err, r.out = r.err + r.out, ""
            elif (fd_from, fd_to) == ("2", "1"):
                r.out, r.err = r.out + r.err, ""
        if target is not None:
            path = self._path(target[0])
            self.c.files[path] = (self.c.files.get(path, "") if target[1] else "") + r.out
            r.out = ""
        return r

    def _expand(self, word: str) -> str:
        def sub(m: re.Match) -> str:
            name = m.group(1).strip("{}")
            return str(self.status) if name == "?" else self.c.env.get(name, "")
        return _VAR.sub(sub, word)  # quotes are gone by now: '$X' expands too

    # -- one command
    def run(self, argv: list[str], stdin: str = "") -> Result:
        if not argv:
            return Result(code=self.status)
        cmd, args = posixpath.basename(argv[0]), argv[1:]
        handler = getattr(self, "_cmd_" + cmd.replace("-", "_"), None)
        if cmd in ("sh", "bash", "ash"):
            if cmd not in self.c.shells:
                return Result(err=exec_failed(cmd), code=CANNOT_EXEC)
            if args[:1] == ["-c"] and len(args) > 1:
                return Shell(self.c, cmd).run_script(args[1], stdin)
            return Shell(self.c, cmd).run_script(stdin)
        if handler is None:
            return Result(err=f"{self.name}: {cmd}: not found\n", code=NOT_FOUND)
        return handler(args, stdin)

    def _cmd_echo(self, args, stdin):
        if args[:1] == ["-n"]:
            return Result(out=" ".join(args[1:]))
        return Result(out=" ".join(args) + "\n")

    def _cmd_env(self, args, stdin):
        return Result(out="".join(f"{k}={v}\n" for k, v in self.c.env.items()))

    def _cmd_printenv(self, args, stdin):
        if not args:
            return self._cmd_env(args, stdin)
        values = [self.c.env[a] for a in args if a in self.c.env]
        return Result(out="".join(v + "\n" for v in values),
                      code=0 if len(values) == len(args) else 1)

    def _path(self, p: str) -> str:
        return posixpath.normpath(posixpath.join(self.c.cwd, p))

    def _cmd_cat(self, args, stdin):
        if not args:
            return Result(out=stdin)
        out, err, code = "", "", 0
        for a in args:
            path = self._path(a)
            if path in self.c.files:
                out += self.c.files[path]
            elif path in self.c.dirs():
                err, code = err + "cat: read error: Is a directory\n", 1
            else:
                err, code = err + f"cat: can't open '{a}': No such file or directory\n", 1
        return Result(out, err, code)

    def _cmd_ls(self, args, stdin):
        flags = [a for a in args if a.startswith("-")]
        targets = [a for a in args if not a.startswith("-")] or ["."]
        long = any("l" in f for f in flags)
        out, err, code = "", "", 0
        dirs = self.c.dirs()
        for t in targets:
            path = self._path(t)
            if path in self.c.files:
                out += self._entry(posixpath.basename(path) if t == "." else t, path, long)
                continue
            if path not in dirs:
                err, code = err + f"ls: {t}: No such file or directory\n", 1
                continue
            names = sorted({p[len(path.rstrip("/")) + 1:].split("/")[0]
                            for p in (*self.c.files, *dirs)
                            if p != path and p.startswith(path.rstrip("/") + "/")})
            show_all = any("a" in f for f in flags)
            names = [n for n in names if show_all or not n.startswith(".")]
            if long:
                out += "".join(self._entry(n, posixpath.join(path, n), True) for n in names)
            elif names:
                out += "\n".join(names) + "\n"
        return Result(out, err, code)

    def _entry(self, name: str, path: str, long: bool) -> str:
        if not long:
            return name + "\n"
        if path in self.c.files:
            return f"-rw-r--r--    1 root     root     {len(self.c.files[path]):>8} {name}\n"
        return f"drwxr-xr-x    2 root     root         4096 {name}\n"

    def _cmd_cd(self, args, stdin):
        path = self._path(args[0] if args else "/root")
        if path not in self.c.dirs():
            return Result(err=f"{self.name}: cd: can't cd to {args[0]}: No such file or "
                              "directory\n", code=2)
        self.c.cwd = path
        return Result()

    def _cmd_pwd(self, args, stdin):
        return Result(out=self.c.cwd + "\n")

    def _cmd_hostname(self, args, stdin):
        return Result(out=self.c.hostname + "\n")

    def _cmd_ps(self, args, stdin):
        if self.c.processes:
            first, *rest = self.c.processes
            lines = [f"    1 root      0:00 {first}\n"]
            lines += [f"{12 + 6 * i:>5} root      0:00 {p}\n" for i, p in enumerate(rest)]
            lines.append(f"{12 + 6 * len(rest):>5} root      0:00 ps\n")
            return Result(out="PID   USER     TIME  COMMAND\n" + "".join(lines))
        return Result(out="PID   USER     TIME  COMMAND\n"
                          f"    1 root      0:00 {self.c.command}\n"
                          f"   {7 + len(self.c.command) % 20} root      0:00 ps\n")

    def _cmd_id(self, args, stdin):
        return Result(out="uid=0(root) gid=0(root) groups=0(root)\n")

    def _cmd_whoami(self, args, stdin):
        return Result(out="root\n")

    def _cmd_uname(self, args, stdin):
        if "-a" in args:
            return Result(out=f"Linux {self.c.hostname} 6.8.0-sim #1 SMP x86_64 GNU/Linux\n")
        return Result(out="Linux\n")

    def _cmd_date(self, args, stdin):
        return Result(out=time.strftime("%a %b %e %H:%M:%S UTC %Y", time.gmtime()) + "\n")

    def _cmd_true(self, args, stdin):
        return Result()

    def _cmd_false(self, args, stdin):
        return Result(code=1)

    def _cmd_sleep(self, args, stdin):
        return Result()  # time does not pass inside the sim's shell

    def _cmd_grep(self, args, stdin):
        flags = "".join(a[1:] for a in args if a.startswith("-"))
        rest = [a for a in args if not a.startswith("-")]
        if not rest:
            return Result(err="Usage: grep [-iv] PATTERN [FILE]...\n", code=2)
        text = self._cmd_cat(rest[1:], stdin).out if rest[1:] else stdin
        try:
            pat = re.compile(rest[0], re.I if "i" in flags else 0)
        except re.error:
            pat = re.compile(re.escape(rest[0]), re.I if "i" in flags else 0)
        hits = [ln for ln in text.splitlines() if bool(pat.search(ln)) != ("v" in flags)]
        return Result(out="".join(h + "\n" for h in hits), code=0 if hits else 1)

    def _cmd_wc(self, args, stdin):
        text = self._cmd_cat([a for a in args if not a.startswith("-")], stdin).out
        if "-l" in args:
            return Result(out=f"{text.count(chr(10))}\n")
        return Result(out=f"{text.count(chr(10)):>7} {len(text.split()):>7} {len(text):>7}\n")

    def _lines(self, args, stdin) -> tuple[int, list[str]]:
        n, files = 10, []
        it = iter(args)
        for a in it:
            if a == "-n":
                n = int(next(it, "10"))
            elif a.startswith("-") and a[1:].isdigit():
                n = int(a[1:])
            else:
                files.append(a)
        return n, self._cmd_cat(files, stdin).out.splitlines()

    def _cmd_head(self, args, stdin):
        n, lines = self._lines(args, stdin)
        return Result(out="".join(ln + "\n" for ln in lines[:n]))

    def _cmd_tail(self, args, stdin):
        n, lines = self._lines(args, stdin)
        return Result(out="".join(ln + "\n" for ln in lines[-n:] if n))

    def _cmd_exit(self, args, stdin):
        try:
            code = int(args[0]) & 0xFF if args else self.status
        except ValueError:
            return Result(err=f"{self.name}: exit: Illegal number: {args[0]}\n", code=2,
                          exited=True)
        return Result(code=code, exited=True)


def exec_failed(cmd: str) -> str:
    return ("OCI runtime exec failed: exec failed: unable to start container process: exec: "
            f'"{cmd}": executable file not found in $PATH: unknown\n')


def _split(line: str) -> list[tuple[str, list[list[str]]]]:
    """`a | b; c && d || e` -> [(';', [a, b]), ('&&', [c]), ('||', [d])]... as pipelines."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: run what we have
        tokens = line.split()
    out: list[tuple[str, list[list[str]]]] = []
    op = ";"
    pipeline: list[list[str]] = []
    words: list[str] = []
    for tok in tokens:
        if tok in (";", "&&", "||"):
            out.append((op, [*pipeline, words]))
            op, pipeline, words = tok, [], []
        elif tok == "|":
            pipeline.append(words)
            words = []
        else:
            words.append(tok)
    out.append((op, [*pipeline, words]))
    return [(o, [w for w in p if w]) for o, p in out if any(p)]
