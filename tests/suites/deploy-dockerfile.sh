#!/bin/sh
# deploy/container/Dockerfile without a container engine: runs the builder stage's steps in a
# scratch copy of the build context and the runtime stage's binary in a tree holding only what the
# runtime stage copies (tests/deploy/dockerfile-check.py says what this proves and what it does not).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/deploy/lib.sh
need_cmd python3 make cc ldd chroot
exec python3 tests/deploy/dockerfile-check.py .
