#!/usr/bin/env bash
# Prepares a Debian (bookworm) machine for running and testing Parley, as root:
# Redis and PostgreSQL running on localhost, pgvector available to PostgreSQL, the
# `parley_test` database present, Chromium (with a CJK font) for the demo's browser test and
# mono's C# compiler for the Unity client's. Safe to run again: it only does what is missing.
#
# pgvector is not packaged for bookworm, so its source package is fetched from the trixie
# suite through a private apt configuration (the system's own sources stay on bookworm)
# and built against the local PostgreSQL with PGXS.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_PORT="${PG_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
TEST_DB="${TEST_DB:-parley_test}"
APT_STATE=/var/lib/parley-apt

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root"
command -v apt-get >/dev/null || die "needs a Debian system (apt-get not found)"

export DEBIAN_FRONTEND=noninteractive

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

ensure_packages() {
  local missing=() p
  for p in "$@"; do is_installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# SQL as the postgres superuser over the local socket: works whatever pg_hba.conf says
# about TCP, including the peer-only default of a fresh install.
pg_admin() {
  (cd / && runuser -u postgres -- psql -p "$PG_PORT" -X -q -v ON_ERROR_STOP=1 -tA "$@")
}

# The connection the tests use: TCP on loopback, user postgres, no password.
pg_tcp() {
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -q -v ON_ERROR_STOP=1 -tA -w "$@"
}

# The Debian mirror this machine already uses, so no other host is contacted.
debian_mirror() {
  local files=() f uri
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  if [ "${#files[@]}" -gt 0 ]; then
    uri="$(
      grep -hv '^[[:space:]]*#' "${files[@]}" |
        grep -oE '(https?|mirror\+https?)://[^][:space:]]+' |
        grep -E '/debian/?$' | head -n1 || true
    )"
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

# --- packages -------------------------------------------------------------------------
ensure_packages redis-server redis-tools \
  "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" \
  build-essential dpkg-dev ca-certificates

# The demo's browser test drives Debian's Chromium (playwright-core downloads no browser); the
# font draws the Chinese the test types.
ensure_packages chromium fonts-wqy-microhei
# The Unity client's C# is compiled in CI by mono's compiler, against a stub of the SDK.
ensure_packages mono-mcs

# --- PostgreSQL -------------------------------------------------------------------------
if ! pg_lsclusters -h | awk -v v="$PG_MAJOR" '$1 == v { found = 1 } END { exit !found }'; then
  log "creating PostgreSQL $PG_MAJOR cluster 'main'"
  pg_createcluster --port "$PG_PORT" "$PG_MAJOR" main >/dev/null
fi
PG_CLUSTER="$(pg_lsclusters -h | awk -v v="$PG_MAJOR" '$1 == v { print $2; exit }')"
if pg_lsclusters -h | awk -v v="$PG_MAJOR" -v c="$PG_CLUSTER" '$1 == v && $2 == c && $4 == "online" { found = 1 } END { exit !found }'; then
  log "PostgreSQL $PG_MAJOR/$PG_CLUSTER already running"
else
  log "starting PostgreSQL $PG_MAJOR/$PG_CLUSTER"
  pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" "$PG_CLUSTER" start
fi
for _ in $(seq 1 30); do
  pg_admin -c 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.5
done
pg_admin -c 'SELECT 1' >/dev/null || die "PostgreSQL does not answer on port $PG_PORT"

# Local development and tests connect as postgres over loopback without a password.
if ! pg_tcp -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
  hba="$(pg_admin -c 'SHOW hba_file')"
  log "allowing passwordless loopback connections for user postgres in $hba"
  tmp="$(mktemp)"
  {
    echo "# parley: passwordless loopback access for local development"
    echo "host all postgres 127.0.0.1/32 trust"
    echo "host all postgres ::1/128 trust"
    cat "$hba"
  } >"$tmp"
  cat "$tmp" >"$hba"
  rm -f "$tmp"
  pg_admin -c 'SELECT pg_reload_conf()' >/dev/null
  sleep 0.5
  pg_tcp -d postgres -c 'SELECT 1' >/dev/null || die "cannot connect to 127.0.0.1:$PG_PORT as postgres"
fi

# --- pgvector ---------------------------------------------------------------------------
if [ "$(pg_tcp -d postgres -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")" = "1" ]; then
  log "pgvector already available"
else
  mirror="$(debian_mirror)"
  log "fetching pgvector source from $mirror (trixie)"
  mkdir -p "$APT_STATE/lists/partial" "$APT_STATE/cache/archives/partial"
  printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s trixie main\n' \
    "$mirror" >"$APT_STATE/sources.list"
  # Every piece of apt state points into $APT_STATE so the system's package lists and
  # caches never see trixie.
  apt_private=(
    -o "Dir::Etc::SourceList=$APT_STATE/sources.list"
    -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$APT_STATE/lists"
    -o "Dir::Cache=$APT_STATE/cache"
  )
  apt-get "${apt_private[@]}" update -qq
  build_dir="$(mktemp -d /tmp/parley-pgvector.XXXXXX)"
  trap 'rm -rf "$build_dir"' EXIT
  if ! (cd "$build_dir" && apt-get "${apt_private[@]}" source -q pgvector >"$build_dir/apt-source.log" 2>&1); then
    cat "$build_dir/apt-source.log" >&2
    die "apt-get source pgvector failed"
  fi
  src="$(find "$build_dir" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n1)"
  [ -n "$src" ] || die "pgvector source not found after apt-get source"
  log "building $(basename "$src") against PostgreSQL $PG_MAJOR"
  pg_config="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
  make -C "$src" -s -j"$(nproc)" PG_CONFIG="$pg_config" >/dev/null
  make -C "$src" -s PG_CONFIG="$pg_config" install >/dev/null
  [ "$(pg_tcp -d postgres -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")" = "1" ] ||
    die "pgvector installed but PostgreSQL does not list it"
  log "pgvector installed"
fi

# --- test database ----------------------------------------------------------------------
if [ "$(pg_tcp -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$TEST_DB'")" = "1" ]; then
  log "database $TEST_DB exists"
else
  log "creating database $TEST_DB"
  pg_tcp -d postgres -c "CREATE DATABASE \"$TEST_DB\""
fi
pg_tcp -d "$TEST_DB" -c 'SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector'

# --- Redis ------------------------------------------------------------------------------
if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" = "PONG" ]; then
  log "Redis already running"
else
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
  for _ in $(seq 1 20); do
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" = "PONG" ] && break
    sleep 0.25
  done
  [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" = "PONG" ] ||
    die "Redis does not answer on port $REDIS_PORT"
fi

log "done"
