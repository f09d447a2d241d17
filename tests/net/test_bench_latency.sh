#!/usr/bin/env bash
# mwds bench latency end to end, briefly: the nodes, the feed, ddsperf and the
# echo through mwds_net all run, and the JSON holds the keys an integrator
# reads. Figures are not judged here (bench/ and docs/performance.md do that).
# Usage: test_bench_latency.sh MWDS WORKDIR DOMAIN_ID
set -euo pipefail
mwds=$1 work=$2 domain=$3
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# with --cpu-latency 0 where PM QoS may be asked (root): the request holds
# while the bench runs (sampled in the background)
qos=/dev/cpu_dma_latency cpu=()
if [ -w "$qos" ]; then
  cpu=(--cpu-latency 0)
  (while :; do od -An -td4 -N4 "$qos" | tr -d ' '; sleep 0.5; done) > "$work/qos.txt" &
  sampler=$!
fi
"$mwds" bench latency --rates 100 --seconds 2 --warmup 1 --ddsperf-seconds 3 --domain "$domain" \
  "${cpu[@]}" --dir "$work/run" --json > "$work/out.json" 2> "$work/err.log" ||
  fail "mwds bench latency exited $?: $(cat "$work/err.log")"
if [ ${#cpu[@]} -gt 0 ]; then
  kill "$sampler"
  grep -qx 0 "$work/qos.txt" || fail "$qos never read 0 during the run: $(sort -u "$work/qos.txt")"
fi

node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const fail = (m) => { console.error("FAIL: " + m); process.exit(1); };
const num = (x) => typeof x === "number" && isFinite(x) && x > 0;
if (d.security !== true) fail("security is not true");
if (!Array.isArray(d.rates) || d.rates.length !== 1) fail("expected one rate");
const r = d.rates[0];
if (r.rate_per_s !== 100) fail("rate_per_s " + r.rate_per_s);
if (!(r.track.n > 0)) fail("no track reached JPN");
for (const k of ["p50_us", "p99_us", "max_us", "ddsperf_p50_us", "ddsperf_p99_us"])
  if (!num(r[k])) fail(k + " is " + r[k]);
if (!(r.p50_us <= r.p99_us && r.p99_us <= r.max_us)) fail("track percentiles out of order");
if (r.p50_us !== r.track.p50_us) fail("p50_us is not the track p50");
if (Math.abs(r.ddsperf_round_trip_p50_us - 2 * r.ddsperf_p50_us) > 1e-6)
  fail("ddsperf round trip is not twice its one-hop figure");
if (typeof r.meets_goal !== "boolean") fail("meets_goal is not a boolean");
if (!(d.ddsperf && num(d.ddsperf.p50_us) && d.ddsperf.p50_us === r.ddsperf_p50_us))
  fail("top-level ddsperf differs from the one per rate");
if (d.cpu_latency_us !== (process.argv[2] === "0" ? null : 0))
  fail("cpu_latency_us is " + d.cpu_latency_us);
const e = d.echo_round_trip;
if (!(e && e.n > 0 && num(e.p50_us) && e.p50_us <= e.p99_us)) fail("no echo round trips");
' "$work/out.json" "${#cpu[@]}" || fail "JSON: $(head -c 2000 "$work/out.json")"

# a bad flag: usage error, exit 2, nothing run
set +e
"$mwds" bench latency --rates 100,abc --dir "$work/bad" > /dev/null 2> "$work/bad.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--rates 100,abc exited $rc, expected 2"
grep -q -- "--rates" "$work/bad.err" || fail "the error does not name --rates: $(cat "$work/bad.err")"
[ ! -e "$work/bad" ] || fail "a rejected run left $work/bad"
set +e
"$mwds" bench latency --cpu-latency 2.5 --dir "$work/bad" > /dev/null 2> "$work/bad.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--cpu-latency 2.5 exited $rc, expected 2"
grep -q -- "--cpu-latency: expected a whole number" "$work/bad.err" ||
  fail "the error does not say what --cpu-latency expects: $(cat "$work/bad.err")"
[ ! -e "$work/bad" ] || fail "a rejected run left $work/bad"
echo "bench latency: track p50 $(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).rates[0].p50_us' "$work/out.json") us; ok"
