#!/usr/bin/env bash
# Stages Debian's OpenBLAS (pthread build, LAPACK included) and its Fortran runtime into DEST,
# so the package carries its own copy under runtimes/linux-x64/native/. Idempotent; see README.md here.
set -euo pipefail

dest=${1:?usage: stage-openblas.sh DEST_DIR}
packages=(libopenblas0-pthread libgfortran5 libquadmath0)
# libgfortran5's and libquadmath0's licence text lives in gcc-12-base (their doc folders link there).
licence_packages=(gcc-12-base)
wanted=(libopenblas.so.0 libgfortran.so.5 libquadmath.so.0)

have_all() { for f in "${wanted[@]}"; do [[ -f "$dest/$f" ]] || return 1; done; }
have_all && exit 0

mkdir -p "$dest"
exec 9>"$dest/.lock"
flock 9
have_all && exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'echo "stage-openblas: failed at line $LINENO; see native/README.md" >&2' ERR
cd "$work"

fail() {
  echo "stage-openblas: $*" >&2
  echo "stage-openblas: fix: run 'sudo apt-get update' once (or install libopenblas0-pthread), then build again." >&2
  exit 1
}

download() { apt-get download "${packages[@]}" "${licence_packages[@]}" >download.log 2>&1; }

if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  fail "apt-get/dpkg-deb not found: this script stages Debian packages and needs a Debian-family system."
fi

if ! download; then
  # A fresh machine may have no package lists yet; refreshing them needs root.
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq >update.log 2>&1 || fail "apt-get update failed: $(tail -n 3 update.log)"
    download || fail "apt-get download ${packages[*]} failed: $(tail -n 3 download.log)"
  else
    fail "apt-get download ${packages[*]} failed (package lists missing?): $(tail -n 3 download.log)"
  fi
fi

for deb in ./*.deb; do dpkg-deb -x "$deb" root; done
lib=root/usr/lib/x86_64-linux-gnu
# Assemble in the scratch folder, then copy: a failure never leaves a half-staged DEST behind.
mkdir -p out/licenses
cp -L "$lib/openblas-pthread/libopenblas.so.0" "$lib/libgfortran.so.5" "$lib/libquadmath.so.0" out/
cp -L root/usr/share/doc/libopenblas0-pthread/copyright out/licenses/openblas.copyright
cp -L root/usr/share/doc/gcc-12-base/copyright out/licenses/gcc-runtime.copyright
{
  echo "# Staged by native/stage-openblas.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for deb in ./*.deb; do
    echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version) $(dpkg-deb -f "$deb" Architecture)"
  done
} >out/VERSIONS.txt
cp -r out/licenses out/VERSIONS.txt "$dest/"
cp out/*.so* "$dest/"
have_all || fail "staging incomplete in $dest"
echo "stage-openblas: staged ${wanted[*]} into $dest"
