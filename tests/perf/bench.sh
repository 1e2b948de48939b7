#!/usr/bin/env bash
# Reproduces the figures of docs/performance.md.
#
#   tests/perf/bench.sh [baseline-server.dll]
#
# Builds this tree in Release, then runs `spamguard bench --loopback` (the embedded default, then Redis mode on a
# scratch redis-server it starts) INVOCATIONS times each. With a baseline SpamGuard.Server.dll (another build, e.g. main
# with the bench's no-op method: see docs/performance.md), every invocation of this build is followed or preceded by
# one of the baseline, alternating, with the same CLI; the no-op method is in each server build, so each ratio is
# against its own gRPC cost. Prints each invocation's figures and the medians per mode and build.
# With H2LOAD=1 (needs h2load, Debian nghttp2-client), also h2load -c 16 -m 1 against CheckComment and the no-op.
#
# Environment: MODES ("embedded redis"), INVOCATIONS (3), RUNS (3), REQUESTS (20000), CONCURRENCY (16), DATA (both corpora in ../shared/data),
# OUT (a directory for the raw JSON; default a new temporary one), SKIP_BUILD=1 to use the existing Release build.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
baseline=${1:-}
invocations=${INVOCATIONS:-3}
runs=${RUNS:-3}
requests=${REQUESTS:-20000}
concurrency=${CONCURRENCY:-16}
data=${DATA:-"$root/../shared/data/youtube-spam-collection/train.jsonl $root/../shared/data/sms-spam-collection/train.jsonl"}
out=${OUT:-$(mktemp -d /tmp/spamguard-perf-XXXXXX)}
mkdir -p "$out"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  dotnet build -c Release "$root/src/SpamGuard.Cli" -v q -nologo >/dev/null
  dotnet build -c Release "$root/src/SpamGuard.Server" -v q -nologo >/dev/null
fi
cli="$root/artifacts/bin/SpamGuard.Cli/release/spamguard.dll"
this="$root/artifacts/bin/SpamGuard.Server/release/SpamGuard.Server.dll"
builds=(this)
[[ -n "$baseline" ]] && builds+=(baseline)

redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$out/redis.log" 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

bench() { # mode build invocation
  local server=$this extra=()
  [[ $2 == baseline ]] && server=$baseline
  if [[ $1 == redis ]]; then
    redis-cli -p "$redis_port" flushall >/dev/null
    extra=(--redis "127.0.0.1:$redis_port")
  fi
  # shellcheck disable=SC2086 # $data is a list of files
  dotnet "$cli" bench --loopback --server-binary "$server" "${extra[@]}" --data $data \
    --runs "$runs" --requests "$requests" --concurrency "$concurrency" --json >"$out/$1-$2-$3.json"
  echo "$1 $2 #$3 (load average $(cut -d' ' -f1 /proc/loadavg)): $(python3 "$root/tests/perf/summarize.py" --one "$out/$1-$2-$3.json")"
}

for mode in ${MODES:-embedded redis}; do
  for i in $(seq "$invocations"); do
    if (( i % 2 )); then order=("${builds[@]}"); else order=(); for ((j=${#builds[@]}-1; j>=0; j--)); do order+=("${builds[j]}"); done; fi
    for build in "${order[@]}"; do bench "$mode" "$build" "$i"; done
  done
done
python3 "$root/tests/perf/summarize.py" "$out"

if [[ -n "${H2LOAD:-}" ]]; then
  "$root/tests/perf/h2load.sh" "$this"
fi
echo "raw JSON: $out"
