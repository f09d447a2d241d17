#!/usr/bin/env bash
# Installs the Debian packages mwds needs to build and test, if any is missing.
# Runs apt-get as root, or through sudo. Safe to run again: does nothing when
# everything is present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config   # toolchain
  libproj-dev                        # geodesics (Karney's algorithm)
  libjansson-dev                     # JSON output
  libyaml-dev                        # scenario files
  libcmocka-dev                      # unit tests
  clang libclang-rt-14-dev           # libFuzzer harnesses
  cyclonedds-dev cyclonedds-tools    # DDS, idlc, ddsperf
  libddsc0debian                     # DDS Security plugins
  libssl-dev                         # PKI: CA, certificates, signed documents
  libsqlite3-dev sqlite3             # the journal, and tests that read it
  tshark                             # tests: no plaintext on the wire
  gdal-bin libxml2-utils nodejs      # tests: export validated by ogrinfo, xmllint, node-cot
  libmicrohttpd-dev                  # the operator display's HTTP server
  chromium                           # tests: the display in headless Chromium (playwright-core)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm comes with NodeSource's nodejs, or as Debian's own package
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "mwds: missing Debian packages (${missing[*]}) and neither root nor sudo to install them" >&2
  exit 1
fi
echo "mwds: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q >/dev/null
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
