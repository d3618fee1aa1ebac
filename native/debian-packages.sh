# Shared by the staging scripts here (sourced, not run): fetch Debian packages without installing them.
# begin_staging DEST: nothing to do if have_all (the caller's) already holds; otherwise take DEST's lock, check again
# (a concurrent build may have staged it meanwhile) and work in a scratch folder that is removed on exit, so a failure
# never leaves a half-staged DEST behind.
# fetch_debs ARCH PACKAGE... downloads the .deb files into the current folder. The machine's own architecture uses
# the system's package lists; a foreign one (arm64 on an x64 machine) gets private lists in ./apt-state, so the
# system's dpkg configuration is never changed and no root is needed for it.

begin_staging() {
  have_all && exit 0
  mkdir -p "$1"
  exec 9>"$1/.lock"
  flock 9
  have_all && exit 0
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
}

fetch_debs() {
  local arch=$1; shift
  local opts=()
  if [[ $arch != "$(dpkg --print-architecture)" ]]; then
    mkdir -p apt-state/lists/partial apt-state/cache/archives/partial
    opts=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
          -o "Dir::State::Lists=$PWD/apt-state/lists" -o "Dir::Cache=$PWD/apt-state/cache"
          -o "Dir::State::status=/dev/null" -o "Debug::NoLocking=1")
    apt-get "${opts[@]}" update -qq >update.log 2>&1 ||
      fail "apt-get update for $arch failed: $(tail -n 3 update.log)"
  fi
  if apt-get "${opts[@]}" download "$@" >download.log 2>&1; then return 0; fi
  # A fresh machine may have no package lists of its own yet; refreshing them needs root.
  if [[ ${#opts[@]} -eq 0 && $(id -u) -eq 0 ]]; then
    apt-get update -qq >update.log 2>&1 || fail "apt-get update failed: $(tail -n 3 update.log)"
    apt-get download "$@" >download.log 2>&1 && return 0
  fi
  fail "apt-get download $* ($arch) failed (package lists missing?): $(tail -n 3 download.log)"
}

require_debian_tools() {
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
    fail "apt-get/dpkg-deb not found: this script stages Debian packages and needs a Debian-family system."
}

# The exact versions staged, for VERSIONS.txt.
describe_debs() {
  for deb in ./*.deb; do
    echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version) $(dpkg-deb -f "$deb" Architecture)"
  done
}
