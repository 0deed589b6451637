#!/usr/bin/env python3
"""Runs deploy/container/Dockerfile's build steps on this machine, without a container engine, once for
each platform of the multi-arch image (linux/amd64, linux/arm64, linux/arm/v7, linux/s390x).

What it does, per platform:
  1. Parses the Dockerfile (every instruction must be one it knows how to check). The builder stage must
     run on the build platform (FROM --platform=$BUILDPLATFORM) and so cross-compile for the target.
  2. Builder stage: copies the build context (the repository, filtered by Dockerfile.dockerignore) into a
     scratch directory standing for the stage's filesystem, and runs each RUN step there with /bin/sh,
     with the ARGs set as BuildKit sets them for that platform (TARGETARCH, TARGETVARIANT, ...). The
     package step (tests/setup-deps.sh build) is not run: those packages must be installed here.
  3. Runtime stage: each COPY --from=builder source must exist; its content is copied into an empty
     directory standing for the runtime image. USER must be a non-root uid, ENTRYPOINT must name an
     executable of that tree built for the platform's architecture.
  4. Runs the ENTRYPOINT binary chrooted into that tree, as the image's USER (a foreign one through
     qemu-user-static copied into the tree): it must print its version and serve /metrics. The tree holds
     only what the COPY brings, so this proves that the shared-library closure copied by the builder is
     complete (on Debian 12 libraries of that architecture).

What it does NOT prove: that the base images can be pulled and match Debian 12's libraries, that apt-get
succeeds inside the builder, BuildKit's exact COPY and .dockerignore semantics, or the content of
gcr.io/distroless/static-debian12 (a /lib that is a symlink there, for one).

usage: dockerfile-check.py REPO_ROOT [PLATFORM...]   (exit 0 = pass)
"""
import fnmatch
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/s390x"]
# Docker's architecture names to the Debian names of tests/arches.
DEBIAN_ARCH = {"amd64": "amd64", "arm64": "arm64", "arm/v7": "armhf", "s390x": "s390x"}
KNOWN = {"FROM", "RUN", "WORKDIR", "COPY", "ARG", "ENV", "USER", "EXPOSE", "ENTRYPOINT", "CMD", "LABEL"}


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def parse(path):
    """Returns [(lineno, INSTRUCTION, args)] with continuation lines joined."""
    out, buf, start = [], "", 0
    with open(path) as f:
        for n, line in enumerate(f, 1):
            s = line.rstrip("\n")
            if not buf and (s.strip() == "" or s.lstrip().startswith("#")):
                continue
            if buf and s.lstrip().startswith("#"):
                continue
            if not buf:
                start = n
            if s.endswith("\\"):
                buf += s[:-1] + " "
                continue
            buf += s
            word, _, rest = buf.strip().partition(" ")
            out.append((start, word.upper(), rest.strip()))
            buf = ""
    if buf:
        fail(f"{path}: dangling line continuation")
    return out


def build_debs(repo):
    r = subprocess.run([os.path.join(repo, "tests/setup-deps.sh"), "list", "build"], capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.split():
        fail(f"tests/setup-deps.sh list build: {r.stderr.strip()}")
    return set(r.stdout.split())


def ignored(rel, patterns):
    parts = rel.split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        for p in patterns:
            if p.startswith("**/"):
                if fnmatch.fnmatch(parts[i - 1], p[3:]):
                    return True
            elif fnmatch.fnmatch(prefix, p):
                return True
    return False


def copy_context(repo, dest, patterns):
    n = 0
    for dirpath, dirnames, filenames in os.walk(repo):
        reldir = os.path.relpath(dirpath, repo)
        reldir = "" if reldir == "." else reldir
        dirnames[:] = [d for d in dirnames if not ignored(os.path.join(reldir, d), patterns)]
        os.makedirs(os.path.join(dest, reldir), exist_ok=True)
        for fn in filenames:
            rel = os.path.join(reldir, fn)
            if ignored(rel, patterns):
                continue
            src = os.path.join(repo, rel)
            if os.path.islink(src):
                os.symlink(os.readlink(src), os.path.join(dest, rel))
            else:
                shutil.copy2(src, os.path.join(dest, rel))
            n += 1
    return n


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def arch_table(repo):
    """Debian architecture -> (GNU triplet, qemu-user name), from tests/arches."""
    out = {}
    for line in open(os.path.join(repo, "tests/arches")):
        if line.strip() and not line.startswith("#"):
            f = line.split()
            out[f[0]] = (f[1], f[2])
    return out


def host_arch():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()


def elf_machine(path):
    """The e_machine field of an ELF file (byte order from EI_DATA)."""
    with open(path, "rb") as f:
        h = f.read(20)
    if h[:4] != b"\x7fELF":
        return None
    return int.from_bytes(h[18:20], "little" if h[5] == 1 else "big")


ELF_MACHINE = {"amd64": 62, "arm64": 183, "armhf": 40, "s390x": 22, "riscv64": 243}


def split_stages(steps):
    stages = []
    for n, ins, args in steps:
        if ins == "FROM":
            m = re.match(r"^(?:--platform=(\S+)\s+)?(\S+)(?:\s+AS\s+(\S+))?$", args, re.I)
            if not m:
                fail(f"Dockerfile:{n}: cannot parse FROM {args}")
            stages.append({"platform": m.group(1), "image": m.group(2), "name": m.group(3), "steps": []})
        elif not stages:
            fail(f"Dockerfile:{n}: {ins} before FROM")
        else:
            stages[-1]["steps"].append((n, ins, args))
    return stages


def run_builder(repo, builder, broot, platform, patterns):
    """Emulates the builder stage for one target platform in broot."""
    os_, _, arch = platform.partition("/")
    targetarch, _, variant = arch.partition("/")
    build = host_arch()
    buildargs = {"REVISION": "dockerfile-test", "TARGETPLATFORM": platform, "TARGETOS": os_,
                 "TARGETARCH": targetarch, "TARGETVARIANT": variant,
                 "BUILDPLATFORM": f"linux/{build}", "BUILDOS": "linux", "BUILDARCH": build}
    os.makedirs(broot)
    workdir = "/"
    env = dict(os.environ)
    ran = 0
    for n, ins, args in builder["steps"]:
        if ins == "WORKDIR":
            workdir = os.path.normpath(os.path.join(workdir, args))
            os.makedirs(broot + workdir, exist_ok=True)
        elif ins == "ARG":
            name, eq, default = args.partition("=")
            value = buildargs.get(name, default if eq else "")
            env[name] = value
        elif ins == "ENV":
            k, _, v = args.partition("=")
            env[k] = v
        elif ins == "COPY":
            words = args.split()
            if words == [".", "."]:
                count = copy_context(repo, broot + workdir, patterns)
                print(f"Dockerfile:{n}: COPY . {workdir}: {count} files from the context")
                for must_not in ("nodex", "build", ".git", "build-arm64"):
                    if os.path.exists(os.path.join(broot + workdir, must_not)):
                        fail(f"Dockerfile.dockerignore lets {must_not} into the build context")
                continue
            if len(words) < 2 or not words[-1].endswith("/") or any(w.startswith("--") for w in words):
                fail(f"Dockerfile:{n}: only 'COPY . .' and 'COPY FILE... DIR/' are emulated in the builder, got COPY {args}")
            dest = os.path.normpath(os.path.join(broot + workdir, words[-1]))
            os.makedirs(dest, exist_ok=True)
            for src in words[:-1]:
                if ignored(src, patterns) or not os.path.isfile(os.path.join(repo, src)):
                    fail(f"Dockerfile:{n}: COPY source {src} is not a file of the build context")
                shutil.copy2(os.path.join(repo, src), dest)
            print(f"Dockerfile:{n}: COPY {' '.join(words[:-1])} {words[-1]}")
        elif ins == "RUN":
            if "setup-deps.sh" in args or "apt-get" in args:
                # The package step: what it installs must be installed here; it is not run (it would
                # clean this machine's apt lists).
                m = re.match(r"^tests/setup-deps\.sh build(?:\s*&&\s*rm -rf /var/lib/apt/lists/\*)?$", args)
                if not m:
                    fail(f"Dockerfile:{n}: the package step must be 'tests/setup-deps.sh build' (+ apt list cleanup), got {args}")
                want = build_debs(repo)
                missing = [p for p in sorted(want) if subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True).stdout != "install ok installed"]
                if missing:
                    fail(f"build dependencies not installed here: {missing}")
                print(f"Dockerfile:{n}: package step not run; its {len(want)} packages (tests/setup-deps.sh list build) are installed here")
                continue
            t = time.time()
            r = subprocess.run(["/bin/sh", "-c", args], cwd=broot + workdir, env=env, capture_output=True, text=True)
            if r.returncode != 0:
                print(r.stdout[-3000:])
                print(r.stderr[-3000:])
                fail(f"Dockerfile:{n}: RUN exited {r.returncode}")
            ran += 1
            print(f"Dockerfile:{n}: RUN ok ({time.time() - t:.1f}s)")
        else:
            fail(f"Dockerfile:{n}: {ins} in the builder stage is not emulated")
    if ran == 0:
        fail("no RUN step was executed")


def check_runtime(repo, builder, runtime, broot, rroot, platform):
    """Builds the runtime tree from the builder's results and runs the entrypoint in it."""
    arch = DEBIAN_ARCH[platform.partition("/")[2]]
    os.makedirs(rroot)
    user = entrypoint = None
    exposed = []
    for n, ins, args in runtime["steps"]:
        if ins == "COPY":
            m = re.match(r"^--from=(\S+)\s+(\S+)\s+(\S+)$", args)
            if not m or m.group(1) != builder["name"]:
                fail(f"Dockerfile:{n}: runtime COPY must be COPY --from={builder['name']} SRC DST, got {args}")
            src, dst = m.group(2), m.group(3)
            host_src = os.path.normpath(broot + src)
            if not os.path.exists(host_src):
                fail(f"Dockerfile:{n}: COPY source {src} does not exist after the builder's steps")
            target = os.path.normpath(rroot + "/" + dst)
            if os.path.isdir(host_src):
                shutil.copytree(host_src, target, symlinks=True, dirs_exist_ok=True)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(host_src, target)
            files = sum(len(f) for _, _, f in os.walk(rroot))
            print(f"Dockerfile:{n}: COPY --from={builder['name']} {src} {dst}: exists, {files} files in the runtime tree")
        elif ins == "USER":
            user = args
        elif ins == "EXPOSE":
            exposed += args.split()
        elif ins == "ENTRYPOINT":
            entrypoint = json.loads(args)
        elif ins in ("LABEL", "CMD", "ENV", "ARG"):
            pass
        else:
            fail(f"Dockerfile:{n}: {ins} in the runtime stage is not checked")
    if not user or not re.match(r"^[1-9][0-9]*(:[0-9]+)?$", user):
        fail(f"runtime USER must be a numeric non-root uid[:gid], got {user!r}")
    if "9100" not in exposed:
        fail("runtime stage does not EXPOSE 9100")
    if not entrypoint or not isinstance(entrypoint, list):
        fail("runtime ENTRYPOINT must be in exec form")
    binary = rroot + entrypoint[0]
    if not os.access(binary, os.X_OK):
        fail(f"ENTRYPOINT {entrypoint[0]} is not an executable file of the runtime tree")
    if elf_machine(binary) != ELF_MACHINE[arch]:
        fail(f"{entrypoint[0]} is not built for {platform} (ELF machine {elf_machine(binary)}, want {ELF_MACHINE[arch]})")
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(rroot) for f in fs)
    print(f"runtime tree: {size / 1e6:.1f} MB added to the base image; USER {user}; ENTRYPOINT {entrypoint}")

    # A foreign binary runs through qemu-user-static, copied into the tree (statically linked, it needs
    # nothing else there; the loader and libraries it runs are the tree's own).
    command = list(entrypoint)
    if arch != host_arch():
        qemu = shutil.which(f"qemu-{arch_table(repo)[arch][1]}-static")
        if not qemu:
            fail(f"qemu-user-static is needed to run the {platform} entrypoint (tests/setup-deps.sh cross {arch})")
        shutil.copy2(qemu, os.path.join(rroot, ".qemu-static"))
        command = ["/.qemu-static"] + command
    uid, _, gid = user.partition(":")
    gid = gid or uid
    if os.geteuid() == 0:
        prefix = ["chroot", f"--userspec={uid}:{gid}", rroot]
    elif shutil.which("unshare"):
        prefix = ["unshare", "-r", "chroot", rroot]
        print("not root: chroot inside a user namespace (runs as the namespace's root)")
    else:
        fail("need root or unshare(1) to chroot into the runtime tree")
    r = subprocess.run(prefix + command + ["--version"], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{entrypoint[0]} --version in the runtime tree exited {r.returncode}: {r.stderr.strip()}")
    print(f"in the runtime tree: {(r.stdout or r.stderr).splitlines()[0]}")
    port = free_port()
    proc = subprocess.Popen(prefix + command + [f"--web.listen-address=127.0.0.1:{port}", "--path.procfs=/proc", "--path.sysfs=/sys"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        body = None
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
                    body = resp.read().decode()
                    ctype = resp.headers.get("Content-Type", "")
                break
            except OSError:
                if proc.poll() is not None:
                    fail(f"nodex exited in the runtime tree: {proc.stderr.read()[-2000:]}")
                time.sleep(0.05)
        if body is None:
            fail("nodex in the runtime tree did not answer on /metrics")
        if "node_exporter_build_info" not in body or not ctype.startswith("text/plain"):
            fail(f"unexpected /metrics answer from the runtime tree (Content-Type {ctype!r})")
        print(f"in the runtime tree, as uid {uid}: /metrics answers ({len(body)} bytes, {ctype})")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    repo = os.path.abspath(sys.argv[1])
    platforms = sys.argv[2:] or PLATFORMS
    for p in platforms:
        if p not in PLATFORMS:
            fail(f"unknown platform {p} (known: {' '.join(PLATFORMS)})")
    dockerfile = os.path.join(repo, "deploy/container/Dockerfile")
    ignore_file = dockerfile + ".dockerignore"
    patterns = [l.strip() for l in open(ignore_file) if l.strip() and not l.startswith("#")]
    steps = parse(dockerfile)
    for n, ins, _ in steps:
        if ins not in KNOWN:
            fail(f"Dockerfile:{n}: instruction {ins} is not checked by this test; teach it first")
    stages = split_stages(steps)
    if len(stages) < 2:
        fail("expected a multi-stage build (builder + runtime)")
    builder, runtime = stages[0], stages[-1]
    if not builder["name"]:
        fail("the first stage needs a name (FROM ... AS builder)")
    if builder["platform"] != "$BUILDPLATFORM":
        fail("the builder must run on the build platform and cross-compile (FROM --platform=$BUILDPLATFORM ...)")
    if runtime["platform"]:
        fail("the runtime stage must be of the target platform (no --platform)")
    print(f"stages: {[s['name'] or s['image'] for s in stages]}; builder FROM {builder['image']} on the build platform, "
          f"runtime FROM {runtime['image']}")

    for platform in platforms:
        print(f"==== {platform}")
        t = time.time()
        scratch = tempfile.mkdtemp(prefix="nodex-dockerfile-")
        try:
            broot = os.path.join(scratch, "builder-root")
            run_builder(repo, builder, broot, platform, patterns)
            check_runtime(repo, builder, runtime, broot, os.path.join(scratch, "runtime-root"), platform)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        print(f"{platform}: ok ({time.time() - t:.0f}s)")
    print("PASS")


if __name__ == "__main__":
    main()
