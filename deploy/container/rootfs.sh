#!/bin/sh
# The runtime image's tree (make rootfs; deploy/container/Dockerfile): the binary, stripped, at
# /usr/bin/nodex; every shared library it loads (DT_NEEDED, recursively) from SYSROOT, under its
# merged-/usr directory /usr/lib/TRIPLET; and the dynamic loader at the exact path the binary names
# (PT_INTERP). It reads ELF headers with readelf instead of running ldd, so a foreign build works the
# same as a native one (SYSROOT / for a native build).
#   deploy/container/rootfs.sh BINARY SYSROOT TRIPLET DEST
set -eu
[ $# -eq 4 ] || { echo "usage: rootfs.sh BINARY SYSROOT TRIPLET DEST" >&2; exit 2; }
bin=$1
sysroot=${2%/}
triplet=$3
dest=$4
rm -rf "$dest"
mkdir -p "$dest/usr/bin" "$dest/usr/lib/$triplet"
"$triplet-strip" -o "$dest/usr/bin/nodex" "$bin"

# ld.so's search path for this architecture on Debian, inside the sysroot.
find_lib() {
	for d in "/lib/$triplet" "/usr/lib/$triplet" /lib /usr/lib; do
		if [ -e "$sysroot$d/$1" ]; then
			echo "$sysroot$d/$1"
			return 0
		fi
	done
	echo "rootfs.sh: $1 not found in $sysroot (needed by $2)" >&2
	return 1
}
needed() {
	readelf -d "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p'
}

# Plus what nodex loads with dlopen() on first use (include/dynlib.h): libsystemd for D-Bus, GnuTLS for a
# web configuration with TLS or basic auth, libcrypt for bcrypt. Their sonames are the DYNLIB_INIT lines
# of src/, so this list cannot fall behind the code.
src=$(dirname "$0")/../../src
dlopened=$(sed -n 's/.*DYNLIB_INIT("\([^"]*\)".*/\1/p' "$src"/*.c)
[ -n "$dlopened" ] || { echo "rootfs.sh: no DYNLIB_INIT soname found in $src" >&2; exit 1; }
todo="$(needed "$bin") $dlopened"
done_list=" "
while [ -n "$todo" ]; do
	next=""
	for lib in $todo; do
		case "$done_list" in *" $lib "*) continue ;; esac
		done_list="$done_list$lib "
		path=$(find_lib "$lib" "$bin")
		# The real file (the soname is usually a link to it), under the name the loader asks for.
		cp -L "$path" "$dest/usr/lib/$triplet/$lib"
		next="$next $(needed "$path")"
	done
	todo=$next
done

interp=$(readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
[ -n "$interp" ] || { echo "rootfs.sh: $bin names no program interpreter" >&2; exit 1; }
mkdir -p "$dest$(dirname "$interp")"
cp -L "$sysroot$interp" "$dest$interp"
echo "rootfs: $dest: nodex, $(echo "$done_list" | wc -w) libraries, loader $interp"
