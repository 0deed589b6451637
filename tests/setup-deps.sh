#!/bin/sh
# The Debian packages nodex needs, in groups, and their installation. Installs the packages of the
# groups given that are not installed yet: as root with apt-get; otherwise it prints the exact command
# and fails, so a fresh Debian 12 machine needs nothing by hand.
#   tests/setup-deps.sh build               what `make` needs (make deps, make run)
#   tests/setup-deps.sh test                build + what `make test` needs (make test-deps), the cross
#                                           tools of the architectures it tests included
#   tests/setup-deps.sh bench               build + make bench's client, tracer and peer
#   tests/setup-deps.sh cross ARCH          cross compiler, qemu-user-static and mmdebstrap for ARCH
#   tests/setup-deps.sh list GROUP [ARCH]   prints a group's packages (lib: the target libraries)
#   tests/setup-deps.sh sysroot ARCH DIR    DIR: ARCH's Debian 12 libc and -dev packages from Debian's
#                                           archive, extracted, not installed (the cross build's sysroot)
# ARCH is a Debian architecture name from tests/arches.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

# The libraries nodex links, as -dev packages: installed on the host for a native build, extracted
# into the sysroot for a cross build.
LIB_DEBS="libsystemd-dev libyaml-dev libdeflate-dev libpcre2-dev libgnutls28-dev libcrypt-dev"
BUILD_DEBS="build-essential pkg-config $LIB_DEBS"
# Node.js and npm come from Debian unless they are already on PATH: NodeSource's nodejs bundles npm and
# conflicts with Debian's npm package, so asking apt for it would fail.
NODE_DEBS="$(command -v node >/dev/null 2>&1 || echo nodejs) $(command -v npm >/dev/null 2>&1 || echo npm)"
TEST_DEBS="prometheus prometheus-node-exporter prometheus-alertmanager python3 python3-protobuf python3-prometheus-client curl openssl clang
           libclang-rt-14-dev dbus systemd $NODE_DEBS iproute2 procps"
# make bench's client, tracer and peer.
BENCH_DEBS="wrk strace prometheus-node-exporter python3 curl"
# The foreign architectures make test cross-builds and runs under qemu-user (tests/suites/arch-*.sh).
TEST_ARCHS="arm64 armhf s390x"
# Debian's main archive only: the security archive's index is not needed for a sysroot of -dev packages.
MIRROR=${NODEX_DEBIAN_MIRROR:-http://deb.debian.org/debian}

die() {
	echo "setup-deps.sh: $*" >&2
	exit 2
}

# triplet ARCH: the GNU triplet of a Debian architecture named in tests/arches.
triplet() {
	t=$(awk -v a="$1" '$1 == a { print $2 }' "$here/arches")
	[ -n "$t" ] || die "unknown architecture '$1' (known: $(awk '!/^#/ { printf " %s", $1 }' "$here/arches"))"
	echo "$t"
}

# shellcheck disable=SC2086 # the lists are words
list() {
	case "$1" in
	build) echo $BUILD_DEBS ;;
	lib) echo libc6-dev $LIB_DEBS ;;
	bench) echo $BUILD_DEBS $BENCH_DEBS ;;
	cross)
		t=$(triplet "$2")
		echo "gcc-$t pkg-config qemu-user-static mmdebstrap"
		;;
	test)
		cross=
		for a in $TEST_ARCHS; do
			t=$(triplet "$a")
			cross="$cross gcc-$t"
		done
		echo $BUILD_DEBS $TEST_DEBS $cross qemu-user-static mmdebstrap
		;;
	*) die "unknown group '$1' (build, test, bench, cross ARCH, lib)" ;;
	esac
}

install() {
	missing=""
	for p in "$@"; do
		# apt-get reads "name-" as "remove name": take plain package names only.
		case "$p" in
		*[!a-z0-9.+-]* | *- | -* | "") die "not a package name: '$p'" ;;
		esac
		if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	cmd="apt-get install -y --no-install-recommends$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing Debian packages:$missing" >&2
		echo "run: sudo apt-get update && sudo $cmd" >&2
		exit 1
	fi
	echo "installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	# shellcheck disable=SC2086
	$cmd >&2
}

# The sysroot: mmdebstrap resolves the -dev packages' dependencies for ARCH from the archive and only
# unpacks them (variant extract: no maintainer script runs, nothing is configured), without touching
# this machine's dpkg. chrootless mode needs neither mount nor chroot, so it also works in a container
# build. Made in DIR.tmp and renamed, so an interrupted run leaves no half sysroot behind.
sysroot() {
	arch=$1
	dir=$2
	libs=$(list lib)
	triplet "$arch" >/dev/null
	rm -rf "$dir.tmp"
	mkdir -p "$(dirname "$dir")"
	echo "sysroot: Debian 12 $arch packages into $dir" >&2
	mmdebstrap --quiet --mode=chrootless --variant=extract --architectures="$arch" \
		--include="$(echo "$libs" | tr ' ' ',')" bookworm "$dir.tmp" "$MIRROR" >&2
	# Its /dev holds device nodes (mmdebstrap makes them): a sysroot needs none, and tools that walk
	# the tree (a copy of the build context) must not read /dev/zero.
	rm -rf "$dir.tmp/dev" "$dir"
	mv "$dir.tmp" "$dir"
}

[ $# -ge 1 ] || die "usage: setup-deps.sh build|test|bench|cross ARCH|list GROUP [ARCH]|sysroot ARCH DIR"
case "$1" in
list)
	[ $# -ge 2 ] || die "usage: setup-deps.sh list GROUP [ARCH]"
	out=$(list "$2" "${3:-}")
	echo "$out"
	;;
sysroot)
	[ $# -eq 3 ] || die "usage: setup-deps.sh sysroot ARCH DIR"
	sysroot "$2" "$3"
	;;
build | test | bench | cross)
	[ "$1" != cross ] || [ $# -eq 2 ] || die "usage: setup-deps.sh cross ARCH"
	# An assignment, so that a failing list (an unknown ARCH) stops here under set -e.
	pkgs=$(list "$1" "${2:-}")
	# shellcheck disable=SC2086
	install $pkgs
	;;
*) die "unknown command '$1'" ;;
esac
