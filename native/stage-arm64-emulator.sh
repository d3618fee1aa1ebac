#!/usr/bin/env bash
# Stages what running a linux-arm64 .NET program on an x64 machine needs, without installing anything:
# DEST/qemu-aarch64-static (Debian's qemu-user-static, user-mode emulation) and DEST/sysroot (arm64 glibc, libgcc_s
# and libstdc++, which the .NET runtime links against). Used by the arm64 smoke run (build.cake, Arm64Smoke).
#   stage-arm64-emulator.sh DEST
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

dest=${1:?usage: stage-arm64-emulator.sh DEST_DIR}
have_all() { [[ -x "$dest/qemu-aarch64-static" && -f "$dest/sysroot/lib/ld-linux-aarch64.so.1" ]]; }
fail() {
  echo "stage-arm64-emulator: $*" >&2
  echo "stage-arm64-emulator: fix: run 'sudo apt-get update' once (or install qemu-user-static), then run again." >&2
  exit 1
}
source "$here/debian-packages.sh"
begin_staging "$dest"

require_debian_tools
fetch_debs "$(dpkg --print-architecture)" qemu-user-static
mkdir -p qemu && dpkg-deb --fsys-tarfile qemu-user-static_*.deb | tar -x -C qemu ./usr/bin/qemu-aarch64-static
mkdir -p arm64 && (cd arm64 && fetch_debs arm64 libc6 libgcc-s1 libstdc++6)
for deb in arm64/*.deb; do dpkg-deb -x "$deb" sysroot; done
# Debian's arm64 loader lives in /usr/lib with /lib a merged-/usr link on installed systems; the packages hold the
# real paths, so give the emulator's -L root the /lib path the binaries ask for.
[[ -e sysroot/lib ]] || ln -s usr/lib sysroot/lib
{ (cd arm64 && describe_debs); describe_debs; } >VERSIONS.txt

cp qemu/usr/bin/qemu-aarch64-static VERSIONS.txt "$dest/"
rm -rf "$dest/sysroot" && cp -a sysroot "$dest/"
have_all || fail "staging incomplete in $dest"
echo "stage-arm64-emulator: staged qemu-aarch64-static and an arm64 sysroot into $dest"
