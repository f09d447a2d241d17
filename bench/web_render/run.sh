#!/usr/bin/env bash
# The display's benchmark: bench_web serves a synthetic picture of 200
# missiles in flight (posting 4 snapshots a second, as a node does) and
# render.mjs measures the page in Debian's headless Chromium (playwright-core,
# pinned in tools/web-check).
# Usage: bench/web_render/run.sh BUILD_DIR [SECONDS] [TRACKS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd) seconds=${2:-20} tracks=${3:-200}
bin="$build/bench/bench_web"
[ -x "$bin" ] || { echo "bench_web not built: cmake --build $build --target bench_web" >&2; exit 1; }
work="$build/bench/web_render"
mkdir -p "$work/web-check"
cp "$root"/tools/web-check/package.json "$root"/tools/web-check/package-lock.json "$work/web-check/"
cp "$root"/bench/web_render/render.mjs "$work/web-check/"
if ! cmp -s "$work/web-check/package-lock.json" "$work/web-check/node_modules/.mwds-lock" 2>/dev/null; then
  (cd "$work/web-check" && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1)
  cp "$work/web-check/package-lock.json" "$work/web-check/node_modules/.mwds-lock"
fi
"$bin" --tracks "$tracks" --seconds $((seconds + 40)) > "$work/server.log" &
srv=$!
url=
for _ in $(seq 1 200); do
  url=$(sed -n 's/^url //p' "$work/server.log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "bench_web did not start" >&2; kill "$srv"; exit 1; }
echo "serving $tracks tracks on $url"
node "$work/web-check/render.mjs" "$url" --seconds "$seconds" | tee "$work/result.json"
kill -INT "$srv"
wait "$srv" || true
sed -n '/^snapshots /p' "$work/server.log"
