# Shared helpers for ./run.sh, ./test.sh and scripts/*. Source it; it defines functions only.
# shellcheck shell=bash

VROEG_ROOT="${VROEG_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

require_tools() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH; install the SDK named in global.json"
  command -v node >/dev/null 2>&1 || die "Node.js is not on PATH; Azurite needs Node 20 or newer"
  command -v npm >/dev/null 2>&1 || die "npm is not on PATH; it installs Azurite from package-lock.json"
}

# Installs the pinned dev tools (Azurite) from package-lock.json, only when the lock changed.
ensure_node_tools() {
  local stamp="$VROEG_ROOT/node_modules/.vroeg-lock.sha256"
  local want
  want=$(sha256sum "$VROEG_ROOT/package-lock.json" | cut -d' ' -f1)
  if [[ -x "$VROEG_ROOT/node_modules/.bin/azurite" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  log "installing Azurite (npm ci)"
  (cd "$VROEG_ROOT" && npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci failed"
  echo "$want" >"$stamp"
}

# Debian's Chromium renders the HTML run report in a test; install it when missing (root, apt).
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then
    return 0
  fi
  if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    die "Chromium is missing and cannot be installed here: run 'apt-get install chromium' as root"
  fi
  log "installing Debian chromium (for the report rendering test)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2 || die "installing chromium failed"
}

AZURITE_PID=""
AZURITE_LOG=""

# Starts Azurite in memory on loopback with ports the OS picks (so parallel runs never collide),
# and exports AzureWebJobsStorage as an explicit connection string for those ports.
azurite_start() {
  local workdir="$1"
  mkdir -p "$workdir"
  AZURITE_LOG="$workdir/azurite.log"
  : >"$AZURITE_LOG"
  # In memory: nothing persists between runs. Azurite writes its debug files to the working directory.
  (cd "$workdir" && exec "$VROEG_ROOT/node_modules/.bin/azurite" --inMemoryPersistence --silent --skipApiVersionCheck \
    --disableTelemetry \
    --blobHost 127.0.0.1 --blobPort 0 --queueHost 127.0.0.1 --queuePort 0 \
    --tableHost 127.0.0.1 --tablePort 0) >"$AZURITE_LOG" 2>&1 &
  AZURITE_PID=$!
  local blob="" queue="" table="" i
  for i in $(seq 1 200); do
    blob=$(sed -n 's/.*Blob service is successfully listening at http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$AZURITE_LOG")
    queue=$(sed -n 's/.*Queue service is successfully listening at http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$AZURITE_LOG")
    table=$(sed -n 's/.*Table service is successfully listening at http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$AZURITE_LOG")
    [[ -n "$blob" && -n "$queue" && -n "$table" ]] && break
    kill -0 "$AZURITE_PID" 2>/dev/null || { cat "$AZURITE_LOG" >&2; die "Azurite exited during start"; }
    sleep 0.1
  done
  [[ -n "$table" ]] || { cat "$AZURITE_LOG" >&2; die "Azurite did not report its ports within 20 s"; }
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
  log "Azurite up (pid $AZURITE_PID): blob :$blob, queue :$queue, table :$table"
}

azurite_stop() {
  if [[ -n "$AZURITE_PID" ]] && kill -0 "$AZURITE_PID" 2>/dev/null; then
    kill "$AZURITE_PID" 2>/dev/null || true
    wait "$AZURITE_PID" 2>/dev/null || true
    log "Azurite stopped"
  fi
  AZURITE_PID=""
}
