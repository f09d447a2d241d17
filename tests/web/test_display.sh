#!/usr/bin/env bash
# The operator display in headless Chromium, live: mwds exercise run plays the
# default exercise (one IRBM over northern Japan) at 20x with --http on a free
# loopback port, showing JPN's picture; playwright-core (pinned in
# tools/web-check, installed with npm ci into the work folder) drives Debian's
# chromium to load the page, waits for a track, a warning and an impact ellipse,
# checks the EXERCISE banner, the origin nations, that nothing was asked of any
# other host and that the page logged no error, and saves a screenshot,
# WORKDIR/display.png. Then the exercise is stopped (Ctrl-C) and the node's
# display must have closed cleanly.
# Usage: test_display.sh MWDS SCENARIOS TOOLS_DIR WORKDIR DOMAIN
set -euo pipefail
mwds=$1 scenarios=$2 tools=$3 work=$4 domain=$5
fail() { echo "FAIL: $*" >&2; exit 1; }
for t in node npm; do
  command -v "$t" >/dev/null || fail "$t is missing (scripts/deps.sh installs it)"
done
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing (scripts/deps.sh installs Debian's chromium)"
mkdir -p "$work"
cd "$work"

# the checker, installed from the committed lock file
mkdir -p web-check
cp "$tools"/package.json "$tools"/package-lock.json "$tools"/display.mjs web-check/
if ! cmp -s web-check/package-lock.json web-check/node_modules/.mwds-lock 2>/dev/null; then
  (cd web-check && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1) ||
    fail "npm ci in $work/web-check: $(tail -n 5 web-check/npm.log)"
  cp web-check/package-lock.json web-check/node_modules/.mwds-lock
fi

# bad flags are refused before anything starts
expect_usage() { # expected message, then the command
  local msg=$1; shift
  set +e; "$@" > /dev/null 2> err.txt; rc=$?; set -e
  [ $rc = 2 ] || fail "$* exited $rc, expected 2: $(cat err.txt)"
  grep -qF -- "$msg" err.txt || fail "$*: expected '$msg' in: $(cat err.txt)"
}
scen="$scenarios/irbm-over-japan.yaml"
expect_usage "--http: " "$mwds" node --config nope.yaml --http 70000
expect_usage "--http: " "$mwds" node --config nope.yaml --http 80.5
expect_usage "--http-bind needs --http PORT" "$mwds" node --config nope.yaml --http-bind 127.0.0.1
expect_usage "--http-bind: expected an IPv4 or IPv6 address, got 'localhost'" \
  "$mwds" node --config nope.yaml --http 0 --http-bind localhost
expect_usage "--view needs --http PORT" "$mwds" exercise run "$scen" --view JPN --out "$work/bad"
expect_usage "--view: GBR is not a nation of" "$mwds" exercise run "$scen" --http 8080 --view GBR --out "$work/bad"
expect_usage "--http: " "$mwds" exercise run "$scen" --http 0 --out "$work/bad"

# a free port on the loopback interface
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
rm -rf run display.png
"$mwds" exercise run "$scenarios/irbm-over-japan.yaml" --speed 20 --http "$port" --view JPN \
  --out "$work/run" --domain "$domain" > exercise.log 2>&1 &
ex=$!
stop() {
  if kill -0 "$ex" 2>/dev/null; then
    kill -INT "$ex" 2>/dev/null || true
    for _ in $(seq 1 600); do kill -0 "$ex" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$ex" 2>/dev/null || true
  fi
}
trap stop EXIT

# the node's server answers once the node has started
up=0
for _ in $(seq 1 600); do
  kill -0 "$ex" 2>/dev/null || fail "the exercise ended early: $(tail -n 8 exercise.log)"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
  sleep 0.1
done
[ $up = 1 ] || fail "nothing listens on 127.0.0.1:$port after 60 s: $(tail -n 8 exercise.log)"
grep -q "EXERCISE display: http://127.0.0.1:$port/ (JPN's picture)" exercise.log ||
  fail "the runner did not print the display's URL"

node web-check/display.mjs "http://127.0.0.1:$port/" "$work/display.png" --timeout 180 --settle 10 \
  > display.json || fail "the display check failed (see above); screenshot: $work/display.png"
cat display.json
[ -s display.png ] || fail "no screenshot"

# Ctrl-C: the runner stops the nodes, which close their displays
kill -INT "$ex"
rc=0
wait "$ex" || rc=$?
trap - EXIT
[ $rc = 1 ] || fail "mwds exercise run exited $rc after Ctrl-C, expected 1: $(tail -n 8 exercise.log)"
grep -q "display on http://127.0.0.1:$port/" run/JPN.log || fail "JPN.log: no display URL"
grep -q "mwds node JPN: display: [0-9]* snapshots posted" run/JPN.log ||
  fail "JPN's display did not close cleanly: $(tail -n 5 run/JPN.log)"
! grep -q "display on" run/KOR.log || fail "KOR served a display too"
echo "PASS: the display showed a track, a warning, an impact ellipse and the EXERCISE banner; screenshot $work/display.png"
