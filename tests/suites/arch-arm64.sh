#!/bin/sh
# nodex cross-built for arm64 and run under qemu-user: unit tests, golden suite, conformance
# (tests/tools/arch-test.sh says what is checked).
exec "$(dirname "$0")/../tools/arch-test.sh" arm64
