#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/) and their dictionaries
(tests/fuzz/dict/<target>.dict) from our own fixtures. For the collector targets:

  - every unit-test case: the unit tests run with NODEX_FUZZ_SEEDS set, and the harness writes each
    collector run as an archive (its tree, its flags, what the fakes answered; see tests/unit/harness.c);
  - every golden tree (tests/golden/*/root): each collector's fuzz target runs on an archive of the whole
    tree under strace, and the seed keeps only what the collector touched (the files it opened or
    stat'ed, the symlinks on the way, the entries of the directories it listed), with the golden case's
    flags for that collector.

Seeds are capped (a file's content at 8 KiB, a seed at 64 KiB) and named by their SHA-1, as libFuzzer
names corpus files; regression seeds (regress-*, inputs that once crashed) are kept. The other targets
get: config, the YAML strings of tests/unit/test_config.c and systemd/nodex.yml, with every flag name in
its dictionary; http and http_server, a few requests written here; webconfig, the YAML strings of
tests/unit/test_webconfig.c next to its hand-written seeds (*.yml) and dictionary. Needs make, strace and clang (make fuzz). Run from anywhere:

    tests/fuzz/make-seeds.py            every target
    tests/fuzz/make-seeds.py cpu stat   only those
"""
import collections
import glob
import hashlib
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(REPO, "tests", "fuzz", "corpus")
DICTS = os.path.join(REPO, "tests", "fuzz", "dict")
FILE_CAP = 8 << 10
SEED_CAP = 64 << 10
HDR = b"==> "


def entry(hdr, data=b""):
    return (hdr.encode() if isinstance(hdr, str) else hdr, data)


def archive(entries):
    """The archive text of (header bytes, content bytes) pairs; None when a content holds a header line."""
    out = []
    for i, (hdr, data) in enumerate(entries):
        if b"\n" + HDR in data or data.startswith(HDR) or b"\n" in hdr:
            return None
        out.append((b"\n" if i else b"") + HDR + hdr + b"\n" + data)
    return b"".join(out)


def split_archive(data):
    """The inverse of archive(), with the rules of fuzz_common.h."""
    if data.startswith(HDR):
        i = 0
    else:
        j = data.find(b"\n" + HDR)
        if j < 0:
            return []
        i = j + 1
    out = []
    while i < len(data):
        nl = data.find(b"\n", i + 4)
        hdr = data[i + 4:nl if nl >= 0 else len(data)]
        if hdr.endswith(b" <=="):
            hdr = hdr[:-4]
        if nl < 0:
            out.append((hdr, b""))
            break
        j = data.find(b"\n" + HDR, nl)
        if j < 0:
            out.append((hdr, data[nl + 1:]))
            break
        out.append((hdr, data[nl + 1:j] if j > nl else b""))
        i = j + 1
    return out


def cap_content(data):
    if len(data) <= FILE_CAP:
        return data
    cut = data.rfind(b"\n", 0, FILE_CAP)
    return data[:cut + 1] if cut > 0 else data[:FILE_CAP]


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=REPO, **kw)


def fuzz_targets():
    out = run(["make", "--no-print-directory", "fuzz-list"], capture_output=True, text=True, check=True).stdout
    names = out.split()
    return [n for n in names if os.path.exists(os.path.join(REPO, "collectors", n + ".c"))]


# ---- unit-test seeds ----

def unit_seeds(tmp):
    run(["make", "--no-print-directory", "-j2", "units"], check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, NODEX_FUZZ_SEEDS=tmp)
    for t in sorted(glob.glob(os.path.join(REPO, "build", "tests", "unit", "test_*"))):
        if t.endswith((".d", ".o")) or not os.access(t, os.X_OK):
            continue
        run([t], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seeds = collections.defaultdict(list)
    for d in sorted(os.listdir(tmp)):
        for f in sorted(os.listdir(os.path.join(tmp, d))):
            with open(os.path.join(tmp, d, f), "rb") as fh:
                seeds[d].append(fh.read())
    return seeds


# ---- golden-tree seeds ----

def tree_archive(root):
    """Every file, symlink and empty directory under root, as archive entries."""
    entries = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if os.path.islink(full):
                entries.append(entry(rel + " -> " + os.readlink(full)))
            elif os.path.isdir(full):
                if not os.listdir(full):
                    entries.append(entry(rel + "/"))
            elif os.path.isfile(full):
                with open(full, "rb") as fh:
                    entries.append(entry(rel, fh.read()))
    return entries


class Reducer:
    """Keeps the parts of a tree a set of accessed paths needs."""

    def __init__(self, root):
        self.root = root
        self.items = {}  # rel -> (kind, payload)

    def _add(self, rel, kind, payload=b""):
        if rel not in self.items or self.items[rel][0] == "mark":
            self.items[rel] = (kind, payload)

    def resolve(self, rel, depth=0):
        """Walks rel component by component in the tree, keeping the symlinks passed. Returns the real
        relative path (no symlinks), or None when it leaves the tree or does not exist."""
        if depth > 16:
            return None
        cur = ""
        parts = [p for p in rel.split("/") if p and p != "."]
        for i, p in enumerate(parts):
            if p == "..":
                cur = os.path.dirname(cur)
                continue
            cand = p if not cur else cur + "/" + p
            full = os.path.join(self.root, cand)
            if os.path.islink(full):
                target = os.readlink(full)
                self._add(cand, "link", target.encode())
                joined = os.path.normpath(os.path.join(cur, target))
                if joined.startswith("..") or os.path.isabs(target):
                    return None
                cur = self.resolve(joined, depth + 1)
                if cur is None:
                    return None
            elif os.path.lexists(full):
                cur = cand
            else:
                return None
        return cur

    def access(self, rel, listed):
        real = self.resolve(rel)
        if real is None or real == "":
            return
        full = os.path.join(self.root, real)
        if os.path.isfile(full):
            with open(full, "rb") as fh:
                self._add(real, "file", cap_content(fh.read()))
        elif os.path.isdir(full):
            self._add(real, "dir")
            if listed:
                for name in sorted(os.listdir(full)):
                    c = real + "/" + name
                    cf = os.path.join(self.root, c)
                    if os.path.islink(cf):
                        self._add(c, "link", os.readlink(cf).encode())
                    elif os.path.isdir(cf):
                        self._add(c, "mark", b"dir")
                    else:
                        self._add(c, "mark", b"file")

    def entries(self):
        out = []
        rels = sorted(self.items)
        for rel in rels:
            kind, payload = self.items[rel]
            if kind == "link":
                out.append(entry(rel + " -> " + payload.decode()))
            elif kind == "file":
                out.append(entry(rel, payload))
            elif kind == "mark" and payload == b"file":
                out.append(entry(rel))
            elif (kind == "dir" or kind == "mark") and not any(r.startswith(rel + "/") for r in rels):
                out.append(entry(rel + "/"))
        return out


STRACE_STR = re.compile(r'(?:(\d+)<([^>]*)>, )?"((?:[^"\\]|\\.)*)"')


def traced_paths(binary, input_path, flags_env):
    """Runs the fuzz target on one input under strace; returns [(path, listed)] of what the collector
    touched between the markers, and the fixture root the target used."""
    with tempfile.NamedTemporaryFile(suffix=".strace") as log:
        run(["strace", "-f", "-y", "-s", "4096", "-e", "trace=%file,getdents64", "-o", log.name, binary,
             "-runs=1", input_path], env=dict(os.environ, FUZZ_TRACE="1", **flags_env),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        text = open(log.name, encoding="utf-8", errors="replace").read()
    inside = False
    root = None
    out = []
    for line in text.splitlines():
        if "/nodex-fuzz-trace-begin" in line:
            inside = True
            continue
        if "/nodex-fuzz-trace-end" in line:
            inside = False
            continue
        if not inside:
            continue
        m = re.search(r"/dev/shm/nodex-fuzz\.[^/\"<>]+", line)
        if m and root is None:
            root = m.group(0)
        listed = "getdents64" in line or "O_DIRECTORY" in line
        for fdnum, fdpath, s in STRACE_STR.findall(line):
            s = bytes(s, "utf-8").decode("unicode_escape", errors="replace")
            if fdpath and not s.startswith("/"):
                s = fdpath + "/" + s
            out.append((s, listed))
        if "getdents64(" in line:
            m2 = re.search(r"getdents64\(\d+<([^>]*)>", line)
            if m2:
                out.append((m2.group(1), True))
    return root, out


def golden_cases():
    for d in sorted(glob.glob(os.path.join(REPO, "tests", "golden", "*"))):
        args = os.path.join(d, "args")
        root = os.path.join(d, "root")
        if not os.path.isfile(args) or not os.path.isdir(root):
            continue
        lines = [l.strip() for l in open(args) if l.strip() and not l.startswith("#")]
        yield os.path.basename(d), root, lines


def golden_seeds(targets, tmp):
    seeds = collections.defaultdict(list)
    for case, root, args in golden_cases():
        full = archive(tree_archive(root))
        if full is None:
            print(f"golden {case}: a file holds an archive header, skipped", file=sys.stderr)
            continue
        input_path = os.path.join(tmp, case + ".archive")
        with open(input_path, "wb") as fh:
            fh.write(full)
        for t in targets:
            flags = []
            for a in args:
                a = a[2:] if a.startswith("--") else a
                name = a[3:] if a.startswith("no-") else a
                if name.startswith("collector." + t + ".") or name.startswith("collector." + t + "_"):
                    flags.append(a)
            with open(input_path, "rb") as fh:
                base = fh.read()
            with_flags = base + (b"\n" + HDR + b"@flags\n" + "\n".join(flags).encode() + b"\n" if flags else b"")
            tpath = os.path.join(tmp, f"{case}.{t}.archive")
            with open(tpath, "wb") as fh:
                fh.write(with_flags)
            binary = os.path.join(REPO, "build-fuzz", "fuzz_" + t)
            fuzz_root, paths = traced_paths(binary, tpath, {})
            os.unlink(tpath)
            if not fuzz_root:
                continue
            red = Reducer(root)
            for p, listed in paths:
                if p == fuzz_root or p.startswith(fuzz_root + "/"):
                    rel = p[len(fuzz_root):].lstrip("/")
                    if rel:
                        red.access(rel, listed)
            ents = red.entries()
            if not any(e[1] for e in ents):
                continue  # the collector read nothing of this tree
            if flags:
                ents.append(entry("@flags", ("\n".join(flags) + "\n").encode()))
            data = archive(ents)
            if data is not None:
                seeds[t].append(data)
                print(f"golden {case} -> {t}: {len(ents)} entries, {len(data)} bytes", file=sys.stderr)
        os.unlink(input_path)
    return seeds


# ---- dictionaries ----

COMMON_TOKENS = [b"==> ", b" <==", b" -> ", b"\n==> ", b"@flags", b"@nl", b"/", b"\n"]
WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_.:()-]{2,40}")


def dict_escape(b):
    return "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else "\\x%02x" % c for c in b)


def write_dict(target, seeds):
    tokens = collections.Counter()
    for s in seeds:
        for hdr, data in split_archive(s):
            if hdr.startswith(b"@"):
                tokens[HDR + hdr + b"\n"] += 5
                if hdr == b"@flags":
                    for line in data.splitlines():
                        tokens[line.split(b"=")[0]] += 3
                continue
            path = hdr.split(b" -> ")[0]
            tokens[HDR + path + b"\n"] += 3
            for comp in path.split(b"/"):
                if comp:
                    tokens[comp] += 1
            if b"\0" not in data[:512]:
                for w in WORD.findall(data[:FILE_CAP]):
                    tokens[w] += 1
    src = os.path.join(REPO, "collectors", target + ".c")
    for m in re.finditer(rb'"(collector\.[A-Za-z0-9_.-]+)"', open(src, "rb").read()):
        if not m.group(1).endswith(b".h"):
            tokens[m.group(1)] += 10
    chosen = COMMON_TOKENS + [t for t, _ in tokens.most_common(400) if t not in COMMON_TOKENS and len(t) <= 128]
    os.makedirs(DICTS, exist_ok=True)
    with open(os.path.join(DICTS, target + ".dict"), "w") as fh:
        fh.write(f"# libFuzzer dictionary for fuzz_{target}, written by tests/fuzz/make-seeds.py\n")
        for i, t in enumerate(chosen):
            fh.write(f'k{i}="{dict_escape(t)}"\n')


# ---- the targets that are not collectors ----

C_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def c_literals(path):
    """The string literals of a C file, adjacent ones joined, escapes decoded."""
    text = open(path, encoding="utf-8").read()
    out = []
    for m in re.finditer(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+', text):
        parts = C_STRING.findall(m.group(0))
        out.append(bytes("".join(parts), "utf-8").decode("unicode_escape").encode("latin-1", errors="replace"))
    return out


def flag_names():
    run(["make", "--no-print-directory", "nodex"], check=True, stdout=subprocess.DEVNULL)
    text = run(["./nodex", "--help"], capture_output=True, text=True).stdout
    return sorted(set(re.findall(r"--(?:\[no-\])?([a-z0-9][a-zA-Z0-9_.-]+)", text)))


def config_seeds():
    seeds = [open(os.path.join(REPO, "systemd", "nodex.yml"), "rb").read()]
    for lit in c_literals(os.path.join(REPO, "tests", "unit", "test_config.c")):
        if b":" in lit and (b"\n" in lit or lit.endswith(b":")):
            seeds.append(lit)
    tokens = [b"collector:", b"web:", b"enabled: true", b"enabled: false", b"- ", b"[", b"]", b"{", b"}",
              b": ", b"\n  ", b"&a ", b"*a", b"---", b"!!str", b"true", b"false", b"1m30s", b"500ms"]
    for name in flag_names():
        tokens.append(name.encode() + b": ")
        for part in name.split("."):
            tokens.append(part.encode() + b":")
    return seeds, tokens


HTTP_LINES = [
    b"Accept-Encoding: gzip\nAccept-Encoding: gzip;q=0, *;q=1\nAccept-Encoding: x-gzip; q=0.5, identity\n",
    b"Accept-Encoding: br;q=1.0, gzip;q=0.8, *;q=0.1\nAccept-Encoding: *\nAccept-Encoding: GZIP;Q=0.000\n",
    b"X-Prometheus-Scrape-Timeout-Seconds: 10\nX-Prometheus-Scrape-Timeout-Seconds: 0.5\n"
    b"X-Prometheus-Scrape-Timeout-Seconds: 3600\nX-Prometheus-Scrape-Timeout-Seconds: 1e3\n",
    b"Authorization: Basic YWxpY2U6c2VjcmV0\nAuthorization: Basic YTpi\nAuthorization: basic Og==\n"
    b"Authorization: Basic YWxp\r\nY2U6c2VjcmV0\nAuthorization: Bearer x\n",
    b"Query: collect[]=loadavg&collect[]=meminfo\nQuery: exclude[]=stat\nQuery: collect[]=cpu\n"
    b"Query: collect[]=loadavg&exclude[]=meminfo\nQuery: exclude[]=loadavg&exclude[]=meminfo&exclude[]=stat\n",
    b"Listen: :9100\nListen: [::1]:9100\nListen: 127.0.0.1:http\nListen: localhost:\nListen: ::1:9100\n",
    b"Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
    b"text/plain;version=0.0.4;q=0.3,*/*;q=0.1\nAccept: text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
    b"application/openmetrics-text;version=1.0.0;q=0.5, */*\nAccept: */*;q=0x1p-1,text/plain/x,;;\n",
]

AUTH = b"Authorization: Basic YWxpY2U6c2VjcmV0\r\n"
HTTP_REQUESTS = [
    b"GET /metrics HTTP/1.1\r\nHost: localhost:9100\r\n" + AUTH + b"\r\n",
    b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Accept-Encoding: gzip\r\n"
    b"X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n",
    b"GET /metrics?collect[]=loadavg&collect[]=meminfo HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n",
    b"GET /metrics?exclude[]=meminfo HTTP/1.0\r\n" + AUTH + b"\r\n",
    b"GET /metrics?collect[]=cpu HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n",
    b"GET /metrics?collect[]=loadavg&exclude[]=meminfo HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n",
    b"HEAD /metrics HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n",
    b"POST /metrics HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Content-Length: 3\r\n\r\nabc",
    b"GET / HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n",
    b"GET /nothing HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n",
    b"DELETE /metrics HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n",
    b"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWxpY2U6d3Jvbmc=\r\n\r\n",
    b"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Ym9iOnNlY3JldA==\r\n\r\n",
    b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Accept: application/vnd.google.protobuf;"
    b"proto=io.prometheus.client.MetricFamily;encoding=delimited\r\nAccept-Encoding: gzip\r\n\r\n",
    b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\nGET / HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n",
]


def http_tokens():
    names = [os.path.basename(p)[:-2] for p in glob.glob(os.path.join(REPO, "collectors", "*.c"))]
    return [b"Accept-Encoding: ", b"X-Prometheus-Scrape-Timeout-Seconds: ", b"Authorization: Basic ",
            b"Query: ", b"Listen: ", b"collect[]=", b"exclude[]=", b"&", b"gzip", b"x-gzip", b"identity",
            b";q=", b"*", b"YWxpY2U6c2VjcmV0", b"=", b"\r\n", b"\r\n\r\n", b"GET ", b"HEAD ", b"POST ",
            b" HTTP/1.1\r\n", b" HTTP/1.0\r\n", b"/metrics", b"/metrics?", b"Host: ", b"Connection: close\r\n",
            b"Connection: keep-alive\r\n", b"Content-Length: ", b"Transfer-Encoding: chunked\r\n", b"%5B%5D",
            b"Expect: 100-continue\r\n", b"Accept: ", b"application/vnd.google.protobuf",
            b"proto=io.prometheus.client.MetricFamily", b"encoding=delimited", b"text/plain", b"version=0.0.4",
            b";"] + [n.encode() for n in names]


def clear_corpus(d):
    """Removes the seeds this script wrote (named by their SHA-1) from a corpus directory; the others stay:
    regression seeds (regress-*, inputs that once crashed) and hand-written ones (webconfig's *.yml)."""
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if re.fullmatch(r"[0-9a-f]{40}", f):
            os.unlink(os.path.join(d, f))


def write_corpus(target, seeds):
    d = os.path.join(CORPUS, target)
    clear_corpus(d)
    for s in seeds:
        with open(os.path.join(d, hashlib.sha1(s).hexdigest()), "wb") as fh:
            fh.write(s)
    print(f"{target}: {len(seeds)} seeds", file=sys.stderr)


def write_tokens(name, target, tokens):
    os.makedirs(DICTS, exist_ok=True)
    seen = set()
    with open(os.path.join(DICTS, name + ".dict"), "w") as fh:
        fh.write(f"# libFuzzer dictionary for {target}, written by tests/fuzz/make-seeds.py\n")
        for t in tokens:
            if t in seen or len(t) > 128:
                continue
            seen.add(t)
            fh.write(f'k{len(seen)}="{dict_escape(t)}"\n')


def misc_targets(wanted):
    if "config" in wanted:
        seeds, tokens = config_seeds()
        write_corpus("config", seeds)
        write_tokens("config", "fuzz_config", tokens)
    if "webconfig" in wanted:
        lits = c_literals(os.path.join(REPO, "tests", "unit", "test_webconfig.c"))
        write_corpus("webconfig", [l for l in lits if b":" in l and b"\n" in l])
    if "http" in wanted:
        write_corpus("http", HTTP_LINES)
    if "http_server" in wanted:
        write_corpus("http_server", HTTP_REQUESTS)
    if "http" in wanted or "http_server" in wanted:
        write_tokens("http", "fuzz_http and fuzz_http_server", http_tokens())


def main():
    targets = fuzz_targets()
    wanted = set(sys.argv[1:]) or set(targets) | {"config", "http", "http_server", "webconfig"}
    targets = [t for t in targets if t in wanted]
    run(["make", "--no-print-directory", "-j2", "fuzz"], check=True, stdout=subprocess.DEVNULL)
    misc_targets(wanted)
    if not targets:
        return
    with tempfile.TemporaryDirectory() as tmp:
        unit = unit_seeds(os.path.join(tmp, "unit"))
        gold = golden_seeds(targets, tmp)
    total = 0
    for t in targets:
        d = os.path.join(CORPUS, t)
        clear_corpus(d)
        kept = []
        for s in unit.get(t, []) + gold.get(t, []):
            if len(s) > SEED_CAP:
                # Too big for a seed: keep the files that fit, in order.
                ents, size = [], 0
                for e in split_archive(s):
                    size += len(e[0]) + len(e[1]) + 6
                    if size > SEED_CAP:
                        break
                    ents.append(e)
                s = archive(ents)
                if s is None:
                    continue
            name = hashlib.sha1(s).hexdigest()
            p = os.path.join(d, name)
            if not os.path.exists(p):
                with open(p, "wb") as fh:
                    fh.write(s)
                kept.append(s)
                total += len(s)
        write_dict(t, kept)
        print(f"{t}: {len(kept)} seeds", file=sys.stderr)
    print(f"total {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
