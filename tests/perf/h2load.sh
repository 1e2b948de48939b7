#!/usr/bin/env bash
# h2load against one server: CheckComment and the bench's no-op method, same body, 16 connections x 1 stream,
# alternating, ROUNDS times each; prints requests/s of each and their ratio. The server is started here, shipped
# settings (embedded default) plus --Bench:Baseline=true.
#
#   tests/perf/h2load.sh [SpamGuard.Server.dll]     (default: this tree's Release build)
#
# Environment: ROUNDS (3), REQUESTS (20000), REDIS (host:port for Redis mode).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
server=${1:-"$root/artifacts/bin/SpamGuard.Server/release/SpamGuard.Server.dll"}
rounds=${ROUNDS:-3}
requests=${REQUESTS:-20000}
work=$(mktemp -d /tmp/spamguard-h2load-XXXXXX)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc=$(port)
http=$(port)

# One realistic comment (a link, an author, a reader's address), as a gRPC length-prefixed CheckCommentRequest.
python3 - "$work/body" <<'EOF'
import struct, sys
def field(number, text):
    data = text.encode()
    key, size = bytes([number << 3 | 2]), b""
    n = len(data)
    while True:
        b = n & 0x7F; n >>= 7
        size += bytes([b | (0x80 if n else 0)])
        if not n: break
    return key + size + data
message = (field(1, "https://bench.invalid/") + field(2, "10.1.2.3") + field(7, "Reader Name")
           + field(8, "reader42@mail.example")
           + field(10, "Check out my channel for more music covers!! http://example.com/watch?v=abc123 subscribe please"))
open(sys.argv[1], "wb").write(b"\x00" + struct.pack(">I", len(message)) + message)
EOF

args=("--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:$grpc" "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:$http"
      --environment=Production "--Feedback:DataDirectory=$work" "--Privacy:PseudonymSecretFile=$work/secret.key"
      --Bench:Baseline=true "--Admin:Key=h2load-admin-key-0123456789abcdef")
[[ -n "${REDIS:-}" ]] && args+=("--Redis:Configuration=$REDIS")
dotnet "$server" "${args[@]}" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$http/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$http/healthz" >/dev/null || { echo "the server did not become healthy:" >&2; tail -20 "$work/server.log" >&2; exit 1; }

checks() { curl -s -H 'Authorization: Bearer h2load-admin-key-0123456789abcdef' "http://127.0.0.1:$http/metrics" | awk '/^spamguard_checks_total/ {s += $2} END {print s + 0}'; }
load() { # path count -> requests/s
  h2load -n "$2" -c 16 -m 1 -d "$work/body" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$grpc$1" | awk '/^finished in/ {gsub(",", "", $4); print $4}'
}
check=/spamguard.v1.CommentFilter/CheckComment
noop=/spamguard.bench.v1.Baseline/NoOpCheck
load "$check" 2000 >/dev/null
load "$noop" 2000 >/dev/null
before=$(checks)
for i in $(seq "$rounds"); do
  if (( i % 2 )); then c=$(load "$check" "$requests"); n=$(load "$noop" "$requests");
  else n=$(load "$noop" "$requests"); c=$(load "$check" "$requests"); fi
  echo "h2load round $i (load average $(cut -d' ' -f1 /proc/loadavg)): CheckComment $c req/s, no-op $n req/s, ratio $(python3 -c "print(f'{$c/$n:.3f}')")"
done
# h2load counts HTTP 200s; a gRPC error is a 200 too, so the server's own counter says whether the checks were made.
echo "checks counted by the server: $(( $(checks) - before )) of $(( rounds * requests )) sent"
