#!/usr/bin/env bash
# Installs Debian's redis-server and postgresql for the distributed tests (the
# fixtures in tests/support/services.py start private instances of both on free
# loopback ports). A no-op when both are already there, or when this is not a
# root shell with apt-get: those tests then skip and say why. Only the
# distribution packages; the system services they ship are never started.
set -euo pipefail

have_postgres() {
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if command -v redis-server >/dev/null 2>&1 && have_postgres; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-services: redis-server or PostgreSQL is missing and this is not root with apt-get;" \
        "the Redis and PostgreSQL tests will be skipped" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d 101 keeps the packages' own services from starting inside a
# container: the tests run their own instances, never the system ones.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    made_policy=1
fi
apt-get update -qq
apt-get install -y -qq redis-server postgresql >/dev/null
if [ "$made_policy" -eq 1 ]; then
    rm -f "$policy"
fi
command -v redis-server >/dev/null
have_postgres
