#!/usr/bin/env bash
# Install Debian's PostgreSQL server binaries for the ledger tests if they are missing
# (idempotent). The tests start their own throwaway cluster (tests/lib/postgres.mjs); the
# packaged cluster is stopped so it does not hold a port or run for nothing.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then exit 0; fi
echo "installing postgresql (apt)"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
# Debian starts a default cluster on install where a service manager runs; stop it if so.
command -v pg_ctlcluster >/dev/null && for c in $(ls /etc/postgresql 2>/dev/null); do $SUDO pg_ctlcluster "$c" main stop 2>/dev/null || true; done
ls -d /usr/lib/postgresql/*/bin
