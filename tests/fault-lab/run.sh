#!/usr/bin/env bash
# The fault-and-abuse lab: builds Release, then runs the driver (tests/SpamGuard.FaultLab), which starts a real
# redis-server and a real SpamGuard server on 127.0.0.1 in a fresh temporary directory, runs the scenarios and prints
# a summary table and one line `checks_failed=0 reports_lost=0 …`. Exit 0 only when every count is 0.
#
#   tests/fault-lab/run.sh                                   # short run: ~20 s per phase, a few minutes in all
#   tests/fault-lab/run.sh --phase-seconds 30 --rate 200     # longer phases, more load
#   tests/fault-lab/run.sh --soak-minutes 10                 # soak: 10 min with Redis, 10 min with Redis killed twice
#
# Driver options: --callers N (8), --rate checks/s (120), --phase-seconds S (20), --report-fraction F (0.2),
# --soak-minutes M (0 = short run), --max-minutes M (wall-clock cap), --rss-tolerance-pct P (25, soak only).
# Set FAULT_LAB_KEEP=1 to keep the work directory (server.log, redis/redis.log) for reading afterwards.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

for tool in dotnet redis-server redis-cli; do
  command -v "$tool" >/dev/null || { echo "fault-lab: $tool is required (apt-get install -y redis-server for Redis)" >&2; exit 2; }
done

dotnet build src/SpamGuard.Server -c Release --nologo -v quiet
dotnet build tests/SpamGuard.FaultLab -c Release --nologo -v quiet

work="$(mktemp -d "${TMPDIR:-/tmp}/spamguard-fault-lab.XXXXXX")"
cleanup() {
  # The driver kills its children itself; this is the safety net if the driver was killed: only the pids it started.
  if [[ -f "$work/pids" ]]; then
    while read -r pid; do
      if [[ -n "$pid" ]]; then
        kill -s CONT "$pid" 2>/dev/null || true
        kill -s KILL "$pid" 2>/dev/null || true
      fi
    done < "$work/pids"
  fi
  if [[ "${FAULT_LAB_KEEP:-0}" == "1" ]]; then
    echo "fault-lab: work directory kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# The driver has its own wall-clock cap (--max-minutes); `timeout` is the outer one (SIGTERM, then SIGKILL 30 s later).
cap_minutes=40
for ((i = 1; i <= $#; i++)); do
  if [[ "${!i}" == "--soak-minutes" ]]; then j=$((i + 1)); cap_minutes=$(( ${!j%.*} * 2 + 20 )); fi
done

status=0
timeout --kill-after=30 "${cap_minutes}m" \
  dotnet artifacts/bin/SpamGuard.FaultLab/release/SpamGuard.FaultLab.dll \
    --server-dll artifacts/bin/SpamGuard.Server/release/SpamGuard.Server.dll \
    --model models/spamguard-1.1.0.zip \
    --work-dir "$work" "$@" || status=$?
exit "$status"
