#!/usr/bin/env bash
# Installs Debian's chromium for the player's browser tests (tests/browser/).
# A no-op when chromium is already there, or when this is not a root shell with
# apt-get: the browser tests then skip and say why. Never downloads a browser
# build of its own (no `playwright install`): only the distribution package.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: /usr/bin/chromium is missing and this is not root with apt-get;" \
        "the browser tests will be skipped" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
test -x /usr/bin/chromium
