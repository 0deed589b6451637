#!/usr/bin/env python3
"""The whole sanitized binary against hostile trees: mutated copies of our own fixture trees
(tests/golden/<case>/root), scraped in sequence by one running nodex per tree.

For each mutation: the mutant is put in place, nodex is scraped twice, the input is restored and nodex is
scraped once more. Checks:
  - every scrape is answered (200) within --scrape.timeout (plus a second for rendering and HTTP);
  - nodex is still running and neither ASan, LeakSanitizer nor UBSan has reported anything;
  - no body repeats a series (the same name and labels);
  - once the input is restored, every collector's success and every series and value (apart from the
    case's time-dependent lines and counters nodex keeps from earlier scrapes) are as before the mutation;
  - afterwards, promtool check metrics and a real Prometheus (Debian's) accept every distinct body.

Mutations are drawn from --seed, each from its own generator (seed, case, index), and applied to the
pristine tree, so one can be replayed alone: --cases C --only I (with the same binary: the targets are
mostly the files that binary read in the baseline scrapes). A failing one is kept under --keep (the
mutated tree, the body, the log, and replay.sh / run-nodex.sh). Bounded in time: --budget seconds for the
mutations of all cases (what did not run is said), then the promtool and Prometheus checks.

  hostile.py --bin build-sanitize/nodex [--seed N] [--mutations N] [--cases a,b] [--only I] [--budget S]
             [--keep DIR] [--no-prometheus]
"""
import argparse
import concurrent.futures
import hashlib
import http.client
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GOLDEN = os.path.join(REPO, "tests", "golden")
# The cases and their share of the mutations: the trees with the most parsers get the most.
DEFAULT_CASES = {"hostproc": 3, "hostsys": 4, "procextra": 3, "storage": 3, "sysclass": 3, "netlink": 2,
                 "loadavg_meminfo": 1, "container-v1-k3s": 2, "container-hybrid": 2, "container-v2-systemd": 2}
VOLATILE = re.compile(r"^(process_|promhttp_|go_|node_exporter_build_info|node_scrape_collector_duration_seconds)")
# Families whose values legitimately carry over a restore: node_exporter's cpu collector (and nodex's)
# never lets a counter go back, so a mutation that raised one keeps it raised.
STATEFUL = re.compile(r"^node_cpu_(guest_)?seconds_total\{")
# promtool's lint remarks on names nodex inherits (as tests/suites/promtool.sh).
INHERITED = re.compile(r"^(node_(entropy|memory|netstat|wifi_station)_[A-Za-z0-9_]+|node_infiniband_[a-z_]+|"
                       r"container_memory_failcnt) ")
SCRAPE_TIMEOUT = 4.0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---- the trees ----

def case_args(case, root):
    """The golden case's flags, with its root replaced by the copy's."""
    args = ["--collector.disable-defaults", f"--path.procfs={root}/proc", f"--path.sysfs={root}/sys",
            f"--path.rootfs={root}", f"--path.udev.data={root}/udev"]
    orig = os.path.join("tests", "golden", case, "root")
    with open(os.path.join(GOLDEN, case, "args")) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            args.append(line.replace("@ROOT@", root).replace(orig, root))
    return args


def case_filter(case):
    path = os.path.join(GOLDEN, case, "filter")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        pats = [l.rstrip("\n") for l in f if l.strip()]
    return re.compile("|".join(f"(?:{p})" for p in pats)) if pats else None


def copy_tree(src, dst):
    subprocess.run(["cp", "-a", src, dst], check=True)
    # nodex runs as nobody when we are root: it must be able to walk the copy
    subprocess.run(["chmod", "-R", "go+rX", dst], check=True)


def list_entries(root):
    """Every entry below root (relative paths, sorted, so that a seed picks the same one everywhere)."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(dirs + files):
            out.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(out)


# ---- mutations ----

NUMBERS = ["18446744073709551616", "18446744073709551615", "-1", "-9223372036854775809", "1e999", "-1e999",
           "NaN", "+Inf", "0x1f", "99999999999999999999999999999999", "-0", "", "1.5", "00000000000000000001",
           "4294967296", "1e-400", "٣"]
WEIRD_BYTES = [b"\x00", b"\xff", b"\xfe\xff", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\n", b"\r\n", b"\t",
               b" ", b"{", b"}", b"\"", b"\\", b"=", b":", b",", b"#", b"-", b"%s%n"]


def rand_bytes(rng, n):
    return bytes(rng.randrange(256) for _ in range(n))


def rand_text(rng, n):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _:-./\t")
                   for _ in range(n)).encode()


def hostile_textfile(rng):
    """A .prom file of our own design, each aimed at one rule of the text format or of nodex's output:
    the generator picks which."""
    big = "x" * rng.choice([1000, 70000])
    choices = [
        b"# HELP bad_help not \xff\xfe utf-8\n# TYPE bad_help gauge\nbad_help 1\n",
        b"# TYPE node_scrape_collector_success counter\nnode_scrape_collector_success 5\n",
        b"# TYPE node_textfile_scrape_error counter\nnode_textfile_scrape_error 0\n",
        b"# HELP node_textfile_mtime_seconds mine\nnode_textfile_mtime_seconds{file=\"x\"} 1\n",
        b"node_load1 42\n",
        b"# TYPE dup gauge\ndup{a=\"1\"} 1\ndup{a=\"1\"} 2\n",
        b"lbl{a=\"\xff\"} 1\n",
        b"nul\x00name 1\n",
        ("huge{v=\"" + big + "\"} 1\n").encode(),
        ("many{i=\"%d\"} 1\n" * 1).encode(),
        b"# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum NaN\nh_count -1\n",
        b"# TYPE s summary\ns{quantile=\"2\"} 1\ns_count 1e400\n",
        b"# TYPE g gauge_histogram\ng_bucket{le=\"1\"} 1\n",
        b"ts 1 1700000000000\n",
        b"mixed 1\n# TYPE mixed counter\n",
        b"v{a=\"1\",b=\"2\"} 1\nv{b=\"2\"} 2\nv 3\n",
        b"\xef\xbb\xbfbom 1\n",
        b"",
        b"no_newline 1",
    ]
    body = rng.choice(choices)
    if body.startswith(b"many"):
        body = b"".join(b"many{i=\"%d\"} %d\n" % (i, i) for i in range(rng.choice([100, 20000])))
    return body


class Mutation:
    """One mutation of one entry. apply() puts the mutant in place; undo() restores the entry exactly
    (content, mode, the parent's mtime)."""

    def __init__(self, root, backup, rel, kind, rng):
        self.root, self.backup, self.rel, self.kind, self.rng = root, backup, rel, kind, rng
        self.path = os.path.join(root, rel)
        self.parent = os.path.dirname(self.path)
        self.moved = False
        self.added = []
        self.chmod = None
        self.renamed = None
        self.desc = f"{kind} {rel}"

    def _move_away(self):
        os.rename(self.path, self.backup)
        self.moved = True

    def _write(self, data, mode=0o644):
        with open(self.path, "wb") as f:
            f.write(data)
        os.chmod(self.path, mode)

    def apply(self):
        st = os.stat(self.parent)
        self.parent_times = (st.st_atime_ns, st.st_mtime_ns)
        k, rng = self.kind, self.rng
        if k in CONTENT_KINDS:
            with open(self.path, "rb") as f:
                data = f.read()
            mode = stat.S_IMODE(os.lstat(self.path).st_mode)
            new, note = mutate_content(k, data, rng)
            self.desc += f" ({note})"
            self._move_away()
            self._write(new, mode)
        elif k == "to_dir":
            self._move_away()
            os.mkdir(self.path)
        elif k == "to_fifo":
            self._move_away()
            os.mkfifo(self.path)
        elif k == "to_loop":
            self._move_away()
            os.symlink(os.path.basename(self.path), self.path)
        elif k == "to_zero":
            self._move_away()
            os.symlink("/dev/zero", self.path)
        elif k == "to_dangling":
            self._move_away()
            os.symlink("does-not-exist", self.path)
        elif k == "to_file":  # a directory becomes a file
            self._move_away()
            self._write(rand_text(rng, rng.randrange(1, 64)))
        elif k == "remove":
            self._move_away()
        elif k == "unreadable":
            self.chmod = stat.S_IMODE(os.lstat(self.path).st_mode)
            os.chmod(self.path, 0)
        elif k == "rename_weird":
            name = rng.choice([b"bad\xff\xfename", b"x" * 255, b"new\nline", b"quote\"brace{", b"\xc0\xaf"])
            target = os.path.join(os.fsencode(self.parent), name)
            os.rename(os.fsencode(self.path), target)
            self.renamed = target
            self.desc += f" -> {name[:40]!r}"
        elif k == "siblings":  # many new entries beside this one
            n = rng.choice([50, 400])
            isdir = os.path.isdir(self.path) and not os.path.islink(self.path)
            if isdir:  # copies of a large directory: fewer, or the copying is what takes the time
                size = sum(len(d) + len(f) for _, d, f in os.walk(self.path))
                n = max(2, min(n, 4000 // (size + 1)))
            base = os.path.basename(self.path)
            for i in range(n):
                p = os.path.join(self.parent, f"{base}{i}" if rng.random() < 0.5 else f"z{i:04d}")
                if os.path.lexists(p):
                    continue
                if isdir:
                    shutil.copytree(self.path, p, symlinks=True)
                else:
                    shutil.copyfile(self.path, p, follow_symlinks=False)
                self.added.append(p)
            self.desc += f" ({len(self.added)})"
        elif k == "new_textfile":  # self.path is a textfile directory
            p = os.path.join(self.path, f"zz-hostile-{rng.randrange(1000)}.prom")
            with open(p, "wb") as f:
                f.write(hostile_textfile(rng))
            self.added.append(p)
            self.desc += f" ({open(p, 'rb').read(60)!r})"
        else:
            raise ValueError(k)

    def undo(self):
        for p in reversed(self.added):
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
        if self.chmod is not None:
            os.chmod(self.path, self.chmod)
        if self.renamed:
            os.rename(self.renamed, os.fsencode(self.path))
        if self.moved:
            if os.path.lexists(self.path):
                if os.path.isdir(self.path) and not os.path.islink(self.path):
                    shutil.rmtree(self.path)
                else:
                    os.unlink(self.path)
            os.rename(self.backup, self.path)
        os.utime(self.parent, ns=self.parent_times)


CONTENT_KINDS = ["truncate", "bitflip", "bytes", "nul", "garbage_line", "huge_line", "number", "dup_lines",
                 "delete_line", "swap_lines", "empty", "whitespace", "bad_utf8", "huge_file"]
FILE_KINDS = ["to_dir", "to_fifo", "to_loop", "to_zero", "to_dangling", "remove", "unreadable", "rename_weird",
              "siblings"]
DIR_KINDS = ["to_file", "to_loop", "remove", "unreadable", "rename_weird", "siblings", "to_fifo"]


def mutate_content(k, data, rng):
    lines = data.split(b"\n")
    if k == "truncate":
        n = rng.randrange(len(data)) if data else 0
        return data[:n], f"at {n} of {len(data)}"
    if k == "bitflip":
        b = bytearray(data or b"\0")
        for _ in range(rng.randrange(1, 9)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        return bytes(b), "bits"
    if k == "bytes":
        b = bytearray(data or b"\0")
        for _ in range(rng.randrange(1, 17)):
            i = rng.randrange(len(b))
            w = rng.choice(WEIRD_BYTES) if rng.random() < 0.5 else rand_bytes(rng, 1)
            b[i:i + 1] = w
        return bytes(b), "bytes"
    if k == "nul":
        i = rng.randrange(len(data) + 1)
        return data[:i] + b"\0" + data[i:], f"NUL at {i}"
    if k == "garbage_line":
        i = rng.randrange(len(lines) + 1)
        g = rand_bytes(rng, rng.randrange(1, 80)) if rng.random() < 0.5 else rand_text(rng, rng.randrange(1, 200))
        return b"\n".join(lines[:i] + [g] + lines[i:]), f"line {i}"
    if k == "huge_line":
        i = rng.randrange(len(lines) + 1)
        n = rng.choice([5000, 70000, 300000])
        g = rng.choice([b"A", b"1", b"a ", b"9 "]) * (n // 2)
        return b"\n".join(lines[:i] + [g] + lines[i:]), f"{len(g)} bytes at line {i}"
    if k == "huge_file":
        n = rng.choice([1 << 20, 2 << 20])
        return (data + b"\n") * (n // (len(data) + 1) + 1), f"{n >> 20} MiB"
    if k == "number":
        toks = list(re.finditer(rb"-?\d+(\.\d+)?", data))
        if not toks:
            return data + b" 1e999\n", "no number"
        m = rng.choice(toks)
        rep = rng.choice(NUMBERS).encode()
        return data[:m.start()] + rep + data[m.end():], f"{m.group(0)[:20]!r} -> {rep!r}"
    if k == "dup_lines":
        if rng.random() < 0.5:
            i = rng.randrange(len(lines))
            return b"\n".join(lines[:i + 1] + [lines[i]] * rng.randrange(1, 4) + lines[i + 1:]), f"line {i}"
        return data + data, "all"
    if k == "delete_line":
        i = rng.randrange(len(lines))
        return b"\n".join(lines[:i] + lines[i + 1:]), f"line {i}"
    if k == "swap_lines":
        if len(lines) < 2:
            return data[::-1], "reversed"
        i, j = rng.sample(range(len(lines)), 2)
        lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines), f"lines {i},{j}"
    if k == "empty":
        return b"", "0 bytes"
    if k == "whitespace":
        f = rng.choice([(b" ", b"\t"), (b"\n", b"\r\n"), (b" ", b"  "), (b"\n", b" \n"), (b":", b" : ")])
        return data.replace(*f), f"{f[0]!r} -> {f[1]!r}"
    if k == "bad_utf8":
        i = rng.randrange(len(data) + 1)
        w = rng.choice([b"\xff\xfe", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"])
        return data[:i] + w + data[i:], f"{w!r} at {i}"
    raise ValueError(k)


def draw(seed, case, index, tree):
    """The mutation of (seed, case, index): its kind and target, drawn from a generator of its own. Most
    targets are entries nodex read in the baseline scrapes (tree.read_files, tree.read_dirs)."""
    rng = random.Random(f"{seed}/{case}/{index}")

    def pick(read, everything):
        return rng.choice(read) if read and rng.random() < 0.8 else rng.choice(everything)

    r = rng.random()
    if tree.textfile_dirs and r < 0.3:
        # each textfile of our design in turn, the rest of the content chosen by the generator
        return "new_textfile", rng.choice(tree.textfile_dirs), rng
    if r < 0.65 and tree.files:
        return rng.choice(CONTENT_KINDS), pick(tree.read_files, tree.files), rng
    if r < 0.85 and tree.files:
        return rng.choice(FILE_KINDS), pick(tree.read_files, tree.files), rng
    if tree.dirs:
        return rng.choice(DIR_KINDS), pick(tree.read_dirs, tree.dirs), rng
    return rng.choice(CONTENT_KINDS), rng.choice(tree.files), rng


class Tree:
    """The pristine copy of a case's tree, and what nodex reads of it. Every access time is set to the
    epoch first: with relatime, a read or a listing then moves it, so after the baseline scrapes the
    entries whose access time moved are the ones nodex reads (empty on a noatime mount: then any entry)."""

    def __init__(self, root):
        self.root = root
        self.entries = list_entries(root)
        full = lambda e: os.path.join(root, e)
        self.files = [e for e in self.entries if os.path.isfile(full(e)) and not os.path.islink(full(e))]
        self.dirs = [e for e in self.entries if os.path.isdir(full(e)) and not os.path.islink(full(e))]
        self.textfile_dirs = [e for e in self.dirs if re.match(r"^textfile/[^/]+\.d$", e)]
        for e in self.files + self.dirs:
            st = os.lstat(full(e))
            os.utime(full(e), ns=(0, st.st_mtime_ns), follow_symlinks=False)
        self.read_files, self.read_dirs = [], []

    def learn(self):
        full = lambda e: os.path.join(self.root, e)
        self.read_files = [e for e in self.files if os.lstat(full(e)).st_atime_ns > 0]
        self.read_dirs = [e for e in self.dirs if os.lstat(full(e)).st_atime_ns > 0]


# ---- nodex ----

class Nodex:
    def __init__(self, binary, args, workdir, san_dir):
        self.binary, self.args, self.workdir, self.san_dir = binary, args, workdir, san_dir
        self.proc = None
        self.log = os.path.join(workdir, "nodex.log")

    def start(self):
        self.port = free_port()
        cmd = [self.binary, f"--web.listen-address=127.0.0.1:{self.port}", f"--scrape.timeout={SCRAPE_TIMEOUT:g}s",
               "--log.level=debug"] + self.args
        if os.geteuid() == 0:
            # as nobody, so that unreadable entries are unreadable
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] + cmd
        env = dict(os.environ)
        # Not strict_string_checks (tests/suites/sanitizer.sh has it): it makes every strchr() scan to the
        # end of the string, so a parser walking a 2 MiB file line by line turns quadratic (seconds under
        # ASan where the plain build takes 0.5 s) and the deadline, not nodex, is what would be tested.
        env["ASAN_OPTIONS"] = (f"log_path={self.san_dir}/asan:detect_leaks=1:abort_on_error=0:"
                               "detect_stack_use_after_return=1")
        env["UBSAN_OPTIONS"] = f"log_path={self.san_dir}/ubsan:print_stacktrace=1:halt_on_error=1"
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.logf, stderr=self.logf, env=env, cwd=self.workdir)
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/")
                c.getresponse().read()
                c.close()
                return True
            except OSError:
                if self.proc.poll() is not None:
                    return False
                time.sleep(0.05)
        return False

    def scrape(self):
        """Returns (status, body, seconds); status None when there was no answer."""
        t0 = time.monotonic()
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=SCRAPE_TIMEOUT + 30)
            c.request("GET", "/metrics")
            r = c.getresponse()
            body = r.read()
            c.close()
            return r.status, body, time.monotonic() - t0
        except OSError as e:
            return None, str(e).encode(), time.monotonic() - t0

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.logf.close()
        self.proc = None

    def log_tail(self, n=40):
        try:
            with open(self.log, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""


def sanitizer_reports(san_dir):
    return sorted(n for n in os.listdir(san_dir) if n.startswith(("asan", "ubsan")))


def parse_body(body):
    """{series: value} and the list of series that appear more than once."""
    series, dups = {}, []
    for line in body.split(b"\n"):
        if not line or line.startswith(b"#"):
            continue
        key, _, value = line.rpartition(b" ")
        if key in series:
            dups.append(key)
        series[key] = value
    return series, dups


def success_of(series):
    out = {}
    for k, v in series.items():
        if k.startswith(b"node_scrape_collector_success{"):
            out[k] = v
    return out


# ---- the run ----

class Run:
    def __init__(self, opts):
        self.opts = opts
        self.failures = []
        self.bodies = {}  # sha -> (body, where)
        self.scrapes = 0
        self.mutations = 0
        self.max_scrape = 0.0
        self.skipped = 0
        self.kinds = {}
        self.own = None  # the case's node_scrape_collector_success series
        self.changed = 0  # mutations whose scrapes differed from the baseline
        self.failed_collector = 0  # mutations that failed a collector

    def fail(self, what, ctx):
        self.failures.append(what)
        print(f"FAIL: {what}", flush=True)
        if ctx:
            self.keep(what, ctx)

    def keep(self, what, ctx):
        """Keeps the failing input: the mutated tree, body and log, with scripts to replay it."""
        os.makedirs(self.opts.keep, exist_ok=True)
        d = tempfile.mkdtemp(prefix=f"{ctx['case']}-{ctx['index']}-", dir=self.opts.keep)
        if ctx.get("root") and os.path.exists(ctx["root"]):
            subprocess.run(["cp", "-a", ctx["root"], os.path.join(d, "tree")], check=False)
        if ctx.get("body") is not None:
            with open(os.path.join(d, "body.txt"), "wb") as f:
                f.write(ctx["body"])
        with open(os.path.join(d, "nodex.log"), "w") as f:
            f.write(ctx.get("log", ""))
        meta = {k: v for k, v in ctx.items() if k in ("case", "index", "seed", "desc")}
        meta["failure"] = what
        with open(os.path.join(d, "mutation.json"), "w") as f:
            json.dump(meta, f, indent=1)
        only = f"--only {ctx['index']} " if isinstance(ctx.get("index"), int) else ""
        with open(os.path.join(d, "replay.sh"), "w") as f:
            f.write("#!/bin/sh\n# The same mutation again, from the pristine golden tree, alone (or the case's run).\n"
                    f"cd {REPO} && tests/tools/hostile.py --bin {self.opts.bin} --seed {ctx['seed']} "
                    f"--cases {ctx['case']} {only}--keep /tmp/nodex-hostile-replay\n")
        with open(os.path.join(d, "run-nodex.sh"), "w") as f:
            root = ctx.get("root") or "\0"
            args = " ".join("'" + a.replace(root, d + "/tree") + "'" for a in ctx.get("args", []))
            f.write(f"#!/bin/sh\n# nodex on the mutated tree as it was kept.\nexec {self.opts.bin} {args} \"$@\"\n")
        os.chmod(os.path.join(d, "replay.sh"), 0o755)
        os.chmod(os.path.join(d, "run-nodex.sh"), 0o755)
        print(f"      kept in {d}", flush=True)

    def record_body(self, body, where):
        # the same body but for the values that change by themselves counts once
        stable = b"\n".join(l for l in body.split(b"\n") if not VOLATILE.match(l.decode("utf-8", "replace").lstrip("# HELPTYPE")))
        sha = hashlib.sha256(stable).hexdigest()[:16]
        if sha not in self.bodies:
            self.bodies[sha] = (body, where)

    def check_scrape(self, nx, status, body, secs, where, ctx):
        self.scrapes += 1
        self.max_scrape = max(self.max_scrape, secs)
        ok = True
        if status != 200:
            self.fail(f"{where}: no 200 answer ({status}): {body[:200]!r}", ctx | {"body": body, "log": nx.log_tail()})
            return False
        if secs > SCRAPE_TIMEOUT + 1:
            self.fail(f"{where}: answered in {secs:.2f} s, past the {SCRAPE_TIMEOUT:g} s deadline",
                      ctx | {"body": body, "log": nx.log_tail()})
            ok = False
        series, dups = parse_body(body)
        if dups:
            self.fail(f"{where}: {len(dups)} duplicate series, first {dups[0][:200]!r}", ctx | {"body": body, "log": ""})
            ok = False
        # nodex's own series are there whatever the input says (a textfile cannot hide them)
        own = set(success_of(series))
        if self.own is None:
            self.own = own
        elif own != self.own:
            self.fail(f"{where}: node_scrape_collector_success series missing: "
                      f"{sorted(k.decode() for k in self.own - own)[:5]}", ctx | {"body": body, "log": nx.log_tail()})
            ok = False
        self.record_body(body, where)
        return ok

    def check_log(self, nx, where, ctx, scrapes):
        """The log grows by a bounded number of lines per scrape, whatever the input."""
        try:
            size = os.path.getsize(nx.log)
        except OSError:
            return True
        grown, nx.log_size = size - getattr(nx, "log_size", 0), size
        if grown > scrapes * 200 * 200:  # 200 lines of at most 200 bytes
            self.fail(f"{where}: the log grew by {grown} bytes in {scrapes} scrapes", ctx | {"log": nx.log_tail()})
            return False
        return True

    def check_alive(self, nx, where, ctx):
        rep = sanitizer_reports(nx.san_dir)
        if rep:
            text = ""
            for r in rep:
                with open(os.path.join(nx.san_dir, r), errors="replace") as f:
                    text += f.read()[:6000]
                os.rename(os.path.join(nx.san_dir, r), os.path.join(nx.san_dir, "seen-" + r))
            self.fail(f"{where}: sanitizer report:\n{text}", ctx | {"log": nx.log_tail() + "\n" + text})
            return False
        if not nx.alive():
            self.fail(f"{where}: nodex died (exit {nx.proc.returncode})", ctx | {"log": nx.log_tail()})
            return False
        return True

    def compare(self, base, after, filt):
        """Differences between the baseline and the restored scrape."""
        diffs = []
        for k in sorted(set(base) | set(after)):
            if VOLATILE.match(k.decode("utf-8", "replace")) or (filt and filt.search(k.decode("utf-8", "replace") + " ")):
                continue
            if k not in after:
                diffs.append(f"missing {k[:160]!r}")
            elif k not in base:
                diffs.append(f"new {k[:160]!r}")
            elif base[k] != after[k] and not STATEFUL.match(k.decode("utf-8", "replace")):
                diffs.append(f"{k[:160]!r}: {base[k]!r} -> {after[k]!r}")
        return diffs

    def run_case(self, case, n, deadline, workdir):
        opts = self.opts
        cdir = os.path.join(workdir, case)
        os.makedirs(cdir)
        os.chmod(cdir, 0o755)
        root = os.path.join(cdir, "root")
        copy_tree(os.path.join(GOLDEN, case, "root"), root)
        backup_dir = os.path.join(cdir, "backup")
        os.makedirs(backup_dir)
        san_dir = os.path.join(cdir, "san")
        os.makedirs(san_dir)
        os.chmod(san_dir, 0o777)
        args = case_args(case, root)
        filt = case_filter(case)
        tree = Tree(root)
        nx = Nodex(opts.bin_copy, args, cdir, san_dir)
        if not nx.start():
            self.fail(f"{case}: nodex did not start:\n{nx.log_tail()}", None)
            return
        base_ctx = {"case": case, "seed": opts.seed, "args": args, "root": root}
        self.own = None

        def baseline():
            nx.scrape()
            st, body, secs = nx.scrape()
            self.check_scrape(nx, st, body, secs, f"{case} baseline", base_ctx | {"index": "baseline"})
            return parse_body(body)[0]

        base = baseline()
        tree.learn()
        print(f"  {case}: nodex read {len(tree.read_files)} of {len(tree.files)} files and listed "
              f"{len(tree.read_dirs)} of {len(tree.dirs)} directories", flush=True)
        indices = [opts.only] if opts.only is not None else range(n)
        for i in indices:
            if time.monotonic() > deadline:
                self.skipped += 1
                continue
            kind, rel, rng = draw(opts.seed, case, i, tree)
            m_t0 = time.monotonic()
            m = Mutation(root, os.path.join(backup_dir, str(i)), rel, kind, rng)
            ctx = base_ctx | {"index": i}
            try:
                m.apply()
            except OSError as e:
                print(f"  {case} #{i}: {kind} {rel}: cannot apply ({e}); skipped")
                continue
            self.mutations += 1
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
            where = f"{case} #{i} [{m.desc}]"
            ctx["desc"] = m.desc
            if opts.verbose:
                print(f"  {where}", flush=True)
            changed = failed = False
            for s in (1, 2):
                st, body, secs = nx.scrape()
                self.check_scrape(nx, st, body, secs, f"{where} scrape {s}", ctx)
                self.check_alive(nx, f"{where} scrape {s}", ctx)
                if st == 200:
                    now = parse_body(body)[0]
                    changed = changed or bool(self.compare(base, now, filt))
                    failed = failed or any(v == b"0" and base.get(k) == b"1" for k, v in success_of(now).items())
                if not nx.alive():
                    break
            self.check_log(nx, where, ctx, 2)
            self.changed += changed
            self.failed_collector += failed
            if opts.verbose:
                print(f"      {'output changed' if changed else 'no change'}{', a collector failed' if failed else ''}"
                      f" ({time.monotonic() - m_t0:.1f} s)")
            m.undo()
            if not nx.alive():
                nx.stop()
                nx.start()
                base = baseline()
                continue
            st, body, secs = nx.scrape()
            if self.check_scrape(nx, st, body, secs, f"{where} restored", ctx) and self.check_alive(nx, f"{where} restored", ctx):
                after = parse_body(body)[0]
                diffs = self.compare(base, after, filt)
                # A collector the mutation made slow may still be in its abandoned run (it is skipped until
                # that returns), and one may need a run to notice (directory stamps): scrape again for a
                # while before calling it a failure.
                t_end = time.monotonic() + 3 * SCRAPE_TIMEOUT
                while diffs and time.monotonic() < t_end:
                    time.sleep(0.5)
                    st, body, secs = nx.scrape()
                    if st != 200:
                        break
                    after = parse_body(body)[0]
                    diffs = self.compare(base, after, filt)
                if diffs:
                    self.fail(f"{where}: no recovery once restored: {len(diffs)} difference(s): " + "; ".join(diffs[:5]),
                              ctx | {"body": body, "log": nx.log_tail(), "root": None})
                    # the next mutations start from a fresh nodex on the pristine tree
                    nx.stop()
                    nx.start()
                    base = baseline()
        nx.stop()
        if sanitizer_reports(san_dir):  # leaks are reported at exit
            self.check_alive(nx, f"{case} at exit", {"case": case, "index": "exit", "seed": opts.seed})

    def body_ctx(self, where, body):
        """What keep() needs for a body found bad after the run: the case and the mutation it came from."""
        m = re.match(r"(\S+) #(\d+) ", where)
        return {"case": where.split()[0], "index": int(m.group(2)) if m else where.split()[1],
                "seed": self.opts.seed, "body": body, "desc": where}

    def promtool(self):
        def check(item):
            body, where = item
            p = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True)
            out = [l for l in (p.stdout + p.stderr).decode("utf-8", "replace").splitlines()
                   if l.strip() and not INHERITED.match(l)]
            return body, where, p.returncode, out

        # A parse error fails (exit 1). Lint remarks (exit 3) do not: names built from a hostile tree (a RAPL
        # zone name of random letters) are camelCase as node_exporter would build them; they are counted.
        # promtool once per shape: bodies that differ only in sample values parse alike (nodex prints every
        # value in Go's float format), and a promtool run costs a process start. Prometheus sees them all.
        shapes = {}
        for _, (body, where) in sorted(self.bodies.items()):
            shape = re.sub(rb"(?m)^([^#\n][^\n]*) [^ \n]+$", rb"\1 0", body)
            shapes.setdefault(hashlib.sha256(shape).digest(), (body, where))
        self.shapes = len(shapes)
        bad = 0
        self.lint = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for body, where, rc, out in pool.map(check, list(shapes.values())):
                if rc not in (0, 3):
                    bad += 1
                    self.fail(f"promtool refuses the body of {where} (exit {rc}): {out[:3]}",
                              self.body_ctx(where, body))
                elif out:
                    self.lint += 1
        return bad

    def prometheus(self, workdir):
        """Serves every distinct body to a real Prometheus as a target of its own; each must be up."""
        bodies = {sha: b for sha, (b, _) in self.bodies.items()}

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                b = bodies.get(self.path.rsplit("/", 1)[-1])
                if b is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(b)))
                self.end_headers()
                self.wfile.write(b)

            def log_message(self, *a):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 4096  # Prometheus opens a connection per target at once

        srv = Server(("127.0.0.1", 0), H)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        sport = srv.server_address[1]
        pdir = os.path.join(workdir, "prometheus")
        os.makedirs(pdir)
        targets = "".join(f"      - targets: ['127.0.0.1:{sport}']\n        labels: {{__metrics_path__: '/b/{sha}'}}\n"
                          for sha in bodies)
        with open(os.path.join(pdir, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 10s\n  scrape_timeout: 10s\nscrape_configs:\n  - job_name: bodies\n"
                    "    static_configs:\n" + targets)
        pport = free_port()
        log = open(os.path.join(pdir, "log"), "wb")
        prom = subprocess.Popen(["prometheus", f"--config.file={pdir}/prometheus.yml", f"--storage.tsdb.path={pdir}/data",
                                 f"--web.listen-address=127.0.0.1:{pport}"], stdout=log, stderr=log)
        bad = 0
        try:
            t_end = time.monotonic() + 90
            targets = []
            while time.monotonic() < t_end:
                time.sleep(1)
                try:
                    c = http.client.HTTPConnection("127.0.0.1", pport, timeout=5)
                    c.request("GET", "/api/v1/targets?state=active")
                    data = json.loads(c.getresponse().read())
                    c.close()
                except (OSError, ValueError):
                    continue
                targets = data.get("data", {}).get("activeTargets", [])
                if len(targets) == len(bodies) and all(t.get("health") != "unknown" for t in targets):
                    break
            if len(targets) != len(bodies) or any(t.get("health") == "unknown" for t in targets):
                self.fail(f"Prometheus did not scrape every body in time ({len(targets)} targets)", None)
                return 1
            for t in targets:
                if t.get("health") != "up":
                    bad += 1
                    sha = t.get("scrapeUrl", "").rsplit("/", 1)[-1]
                    body, where = self.bodies.get(sha, (b"", "?"))
                    self.fail(f"Prometheus refuses the body of {where}: {t.get('lastError')}",
                              self.body_ctx(where, body))
        finally:
            prom.terminate()
            prom.wait(30)
            log.close()
            srv.shutdown()
        return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(REPO, "build-sanitize", "nodex"))
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--mutations", type=int, default=300, help="in all, shared among the cases")
    ap.add_argument("--cases", default=",".join(DEFAULT_CASES))
    ap.add_argument("--only", type=int, help="run this mutation index alone")
    ap.add_argument("--budget", type=float, default=150, help="seconds for the mutations of all cases")
    ap.add_argument("--keep", default=os.environ.get("NODEX_HOSTILE_KEEP", "/tmp/nodex-hostile-failures"))
    ap.add_argument("--no-prometheus", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()
    opts.bin = os.path.abspath(opts.bin)
    cases = [c for c in opts.cases.split(",") if c]
    run = Run(opts)
    t0 = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="nodex-hostile-")
    os.chmod(workdir, 0o755)
    try:
        # a copy of the binary, so that nobody can run it whatever the checkout's permissions
        opts.bin_copy = os.path.join(workdir, "nodex")
        shutil.copy2(opts.bin, opts.bin_copy)
        os.chmod(opts.bin_copy, 0o755)
        weights = {c: DEFAULT_CASES.get(c, 2) for c in cases}
        deadline = t0 + opts.budget
        for case in cases:
            c0 = time.monotonic()
            before = (run.mutations, len(run.failures))
            n = max(1, round(opts.mutations * weights[case] / sum(weights.values())))
            run.run_case(case, n, deadline, workdir)
            print(f"{case}: {run.mutations - before[0]} mutations, {len(run.failures) - before[1]} failure(s), "
                  f"{time.monotonic() - c0:.1f} s", flush=True)
        print(f"{run.mutations} mutations ({run.skipped} left out by the time budget): {run.changed} changed the "
              f"output, {run.failed_collector} failed a collector; {run.scrapes} scrapes, "
              f"slowest {run.max_scrape:.2f} s; kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(run.kinds.items())))
        p0 = time.monotonic()
        bad = run.promtool()
        print(f"promtool: {len(run.bodies)} distinct bodies of {run.shapes} shapes, {bad} refused, {run.lint} with lint remarks on names "
              f"nodex does not inherit ({time.monotonic() - p0:.1f} s)", flush=True)
        if not opts.no_prometheus:
            p0 = time.monotonic()
            bad = run.prometheus(workdir)
            print(f"Prometheus: {len(run.bodies)} distinct bodies as targets, {bad} down ({time.monotonic() - p0:.1f} s)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"seed {opts.seed}: {len(run.failures)} failure(s) in {time.monotonic() - t0:.0f} s")
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
