#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests. Idempotent; quiet when present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "chromium: installing Debian's chromium package for browser tests" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1 || {
  $SUDO apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null
  $SUDO apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium fonts-dejavu-core >/dev/null
}
command -v chromium >/dev/null
