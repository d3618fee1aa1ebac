#!/usr/bin/env bash
# Stages Debian's OpenBLAS (pthread build, LAPACK included) and its Fortran runtime for one architecture into DEST,
# so the package carries its own copy under runtimes/linux-<arch>/native/. Idempotent; see README.md here.
#   stage-openblas.sh DEST [amd64|arm64]     (default: amd64)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

dest=${1:?usage: stage-openblas.sh DEST_DIR [amd64|arm64]}
arch=${2:-amd64}
case $arch in
  # libquadmath exists only where GCC has __float128 (x86); arm64's libgfortran does not need it.
  amd64) triplet=x86_64-linux-gnu;  runtime=(libgfortran5 libquadmath0) ;;
  arm64) triplet=aarch64-linux-gnu; runtime=(libgfortran5) ;;
  *) echo "stage-openblas: unknown architecture '$arch'; use amd64 or arm64." >&2; exit 2 ;;
esac
packages=(libopenblas0-pthread "${runtime[@]}")
# libgfortran5's and libquadmath0's licence text lives in gcc-12-base (their doc folders link there).
licence_packages=(gcc-12-base)
wanted=(libopenblas.so.0 libgfortran.so.5)
[[ $arch == amd64 ]] && wanted+=(libquadmath.so.0)

have_all() { for f in "${wanted[@]}"; do [[ -f "$dest/$f" ]] || return 1; done; }
fail() {
  echo "stage-openblas: $*" >&2
  echo "stage-openblas: fix: run 'sudo apt-get update' once (or install libopenblas0-pthread), then build again." >&2
  exit 1
}
source "$here/debian-packages.sh"
begin_staging "$dest"
trap 'echo "stage-openblas: failed at line $LINENO; see native/README.md" >&2' ERR

require_debian_tools
fetch_debs "$arch" "${packages[@]}" "${licence_packages[@]}"

for deb in ./*.deb; do dpkg-deb -x "$deb" root; done
lib=root/usr/lib/$triplet
# Assemble in the scratch folder, then copy: a failure never leaves a half-staged DEST behind.
mkdir -p out/licenses
cp -L "$lib/openblas-pthread/libopenblas.so.0" "$lib/libgfortran.so.5" out/
[[ $arch == amd64 ]] && cp -L "$lib/libquadmath.so.0" out/
cp -L root/usr/share/doc/libopenblas0-pthread/copyright out/licenses/openblas.copyright
cp -L root/usr/share/doc/gcc-12-base/copyright out/licenses/gcc-runtime.copyright
{
  echo "# Staged by native/stage-openblas.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  describe_debs
} >out/VERSIONS.txt
cp -r out/licenses out/VERSIONS.txt "$dest/"
cp out/*.so* "$dest/"
have_all || fail "staging incomplete in $dest"
echo "stage-openblas: staged ${wanted[*]} ($arch) into $dest"
