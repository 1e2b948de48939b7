#!/usr/bin/env bash
# Memory and disk of the embedded default (no Redis) after N checks: starts a Release server on a fresh data
# directory, sends N CheckComment calls with `spamguard bench` (16 callers), then prints the server's RSS, the
# checks it counted, and the size of its check-record file per stored record.
# Usage: tests/perf/embedded-memory.sh N [server-dll] [cli-dll] [data-file]
# Builds nothing: build first with `dotnet build -c Release src/SpamGuard.Server src/SpamGuard.Cli`.
set -euo pipefail
n=${1:?number of checks}
root=$(cd "$(dirname "$0")/../.." && pwd)
server=${2:-$root/artifacts/bin/SpamGuard.Server/release/SpamGuard.Server.dll}
cli=${3:-$root/artifacts/bin/SpamGuard.Cli/release/spamguard.dll}
data=${4:-$root/../shared/data/sms-spam-collection/train.jsonl}
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
(cd "$(dirname "$server")" && exec dotnet "$server" \
  "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:$port" "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:$((port + 1))" \
  --environment=Production --Logging:LogLevel:Default=Warning \
  "--Feedback:DataDirectory=$dir" "--Privacy:PseudonymSecretFile=$dir/secret.key" \
  "--Metrics:Url=http://127.0.0.1:$((port + 2))") >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 360); do curl -fs "http://127.0.0.1:$((port + 1))/healthz" >/dev/null && break; sleep 0.5; done
dotnet "$cli" bench --server "http://127.0.0.1:$port" --data "$data" --requests "$n" --runs 1 --concurrency 16 --json >"$dir/bench.json"
sleep 5 # the write-behind queue drains
checks=$(curl -fs "http://127.0.0.1:$((port + 2))/metrics" | awk '/^spamguard_checks_total/ { s += $NF } END { print s }')
rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
hwm_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
echo "checks=$checks rss_mb=$((rss_kb / 1024)) peak_rss_mb=$((hwm_kb / 1024))"
if [ -f "$dir/checks.db" ]; then
  bytes=$(( $(stat -c %s "$dir/checks.db") + $(stat -c %s "$dir/checks.db-wal" 2>/dev/null || echo 0) ))
  rows=$(sqlite3 "file:$dir/checks.db?mode=ro" 'SELECT count(*) FROM checks;')
  echo "records=$rows checks_db_bytes=$bytes bytes_per_record=$((bytes / rows))"
fi
