#!/usr/bin/env bash
# Builds and installs pgvector for the local PostgreSQL 15 from Debian's own
# source package (trixie ships it; bookworm does not). Idempotent and quiet
# when the extension is already installed. See DESIGN.md.
set -euo pipefail

PG_MAJOR=${PG_MAJOR:-15}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}

if [ -x "$PG_CONFIG" ] && [ -f "$("$PG_CONFIG" --sharedir)/extension/vector.control" ]; then
  exit 0
fi

echo "pgvector: not installed for PostgreSQL $PG_MAJOR; building it from Debian's source package" >&2

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Reuse the archive URI the machine already trusts; never hard-code a host.
uri=$(grep -rhoE '^(URIs:|deb(-src)?)[[:space:]]+[^[:space:]]+/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
  | grep -v security | awk '{print $NF}' | head -n1 || true)
if [ -z "$uri" ]; then
  uri=$(grep -rhoE 'https?://[^[:space:]]+/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | grep -v security | head -n1 || true)
fi
if [ -z "$uri" ]; then
  echo "pgvector: cannot find a Debian archive URI in /etc/apt/sources*" >&2
  exit 1
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

work=${PGVECTOR_WORKDIR:-/var/tmp/frontline-pgvector}
parts=$work/sources.list.d
lists=$work/lists
mkdir -p "$parts" "$lists/partial" "$work/src"
cat >"$parts/trixie-src.sources" <<SRC
Types: deb-src
URIs: $uri
Suites: trixie
Components: main
Signed-By: $keyring
SRC

apt_private=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$parts" -o "Dir::State::Lists=$lists")

$SUDO apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
  "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev >/dev/null

apt-get -q "${apt_private[@]}" update >/dev/null
cd "$work/src"
rm -rf pgvector-*/
apt-get -q "${apt_private[@]}" source --download-only pgvector >/dev/null
dpkg-source -x --no-check ./pgvector_*.dsc >/dev/null
dir=$(find . -maxdepth 1 -type d -name 'pgvector-*' | head -n1)
cd "$dir"
make -s PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
$SUDO make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
echo "pgvector: installed $(basename "$dir") for PostgreSQL $PG_MAJOR" >&2
