# The Functions app on its local host, as ./run.sh runs it: build, local settings, start, stop.
# Shared by ./run.sh and the scripts that run the app as a real process (crash, load). Source it after
# scripts/lib/common.sh; it defines functions and one variable (the local operator's key) only.
# shellcheck shell=bash

# Local operators (config/local/operators.json holds only the hash of this public, local-only demo key).
operator_key=local-operator-ddce6b268be80b96bca60e3e

# Local municipal teams, one per gemeente (config/local/teams.json holds only the hashes of these public, local-only demo keys).
team_key() { printf 'local-team-%s-9f3c2a71' "$1"; }

APP_DIR="$VROEG_ROOT/artifacts/run/localhost"
CLI_DIR="$VROEG_ROOT/artifacts/run/cli"
APP_PID=""

# Publishes the app on its local host and the vroeg CLI (Release) into artifacts/run.
app_build() {
  log "building the Functions app on its local host, and the vroeg CLI"
  dotnet publish "$VROEG_ROOT/tools/VroegSignalering.LocalHost/VroegSignalering.LocalHost.csproj" -c Release -o "$APP_DIR" --nologo -v quiet -clp:ErrorsOnly >&2 \
    || die "building the app failed"
  dotnet publish "$VROEG_ROOT/tools/VroegSignalering.Cli/VroegSignalering.Cli.csproj" -c Release -o "$CLI_DIR" --nologo -v quiet -clp:ErrorsOnly >&2 \
    || die "building the CLI failed"
}

vroeg() { dotnet "$CLI_DIR/vroeg.dll" "$@"; }

# Local-only settings of the month run, exported for the app and the CLI. Keys are fresh random bytes per
# call: Azurite keeps nothing after the run (call it once per Azurite, before the first start).
app_env() {
  export Keys__Encryption__ActiveKeyId=run Keys__Encryption__Keys__run="$(head -c 32 /dev/urandom | base64)"
  export Keys__Hmac__ActiveKeyId=run Keys__Hmac__Keys__run="$(head -c 32 /dev/urandom | base64)"
  export Creditors__Source=File Creditors__File="$VROEG_ROOT/config/local/creditors.json"
  export Operators__File="$VROEG_ROOT/config/local/operators.json"
  export Teams__File="$VROEG_ROOT/config/local/teams.json"
  export AddressRegistry__Source=CbsFile AddressRegistry__CbsFile="$VROEG_ROOT/data/addresses/pc6hnr20260801_gwb.csv"
  export Dispatch__Transport=Local Dispatch__SweepAfter=00:00:20
  # The demo moves faster than production (TriageCases every 5 minutes): triage every 5 s after a 3 s settle.
  # The month arrives as one batch; triage waits for the intake backlog (as in production). The crisis fast
  # path is on unless Triage__FastPath is set, as in production: a crisis signal or a near end of supply is
  # triaged while its chunk is processed. With it on, a household with urgent signals in two chunks can be
  # composed in the order the chunks happen to be processed (docs/benchmarks.md); scripts/check-reproducible.sh
  # therefore runs with it off.
  export TriageCasesSchedule="*/5 * * * * *" SweepOutboxSchedule="*/15 * * * * *" Triage__Default__SettleSeconds=3
  export Triage__FastPath="${Triage__FastPath:-true}"
  export Intake__RequestsPerMinute=6000 Intake__RequestBurst=1000 PipelineGaugesSchedule="*/10 * * * * *"
}

# Starts the app in the background on URL (stdout and stderr to LOG, or to the terminal without one)
# and waits until /api/health answers. Sets APP_PID. Started in the app folder, as the Functions host
# starts the worker (functions.metadata, host.json, appsettings.json).
app_start() {
  local url="$1" app_log="${2:-}"
  if [[ -z "$app_log" ]]; then
    (cd "$APP_DIR" && LocalHost__Url="$url" exec dotnet VroegSignalering.LocalHost.dll) &
  else
    (cd "$APP_DIR" && LocalHost__Url="$url" Logging__LogLevel__Default=Warning \
      exec dotnet VroegSignalering.LocalHost.dll >>"$app_log" 2>&1) &
  fi
  APP_PID=$!
  local _
  for _ in $(seq 1 150); do
    if curl -fsS "$url/api/health" >/dev/null 2>&1; then break; fi
    kill -0 "$APP_PID" 2>/dev/null || { [[ -n "$app_log" && -f "$app_log" ]] && tail -20 "$app_log" >&2; die "the app exited during start"; }
    sleep 0.2
  done
  curl -fsS "$url/api/health" >/dev/null || die "the app did not become healthy at $url/api/health"
}

# Stops the app if it runs (SIGTERM, then waits).
app_stop() {
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
    log "app stopped"
  fi
  APP_PID=""
}
