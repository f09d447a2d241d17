#!/usr/bin/env bash
# Three national nodes on loopback with DDS Security, fed by mwds sim: a
# launch seen only by KOR's radar is tracked at KOR, and JPN and USA receive
# KOR's tracks and warnings and, from their fused pictures, issue warnings of
# their own. Checked in the nodes' journals (sqlite3).
# Usage: test_nodes.sh MWDS SCENARIOS WORKDIR DOMAIN_ID
set -euo pipefail
. "$(dirname "$0")/three_nodes.sh"
mwds=$1 scenarios=$2 work=$3 domain=$4
rm -rf "$work"
mkdir -p "$work"
cd "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for n in KOR USA JPN; do echo "--- $n.log" >&2; tail -n 20 "$n.log" >&2 || true; done; exit 1; }

write_three_nodes "$mwds" "$scenarios/srbm-seen-by-kor.yaml" "$domain"
# KOR asks that idle CPUs wake within 100 us while it runs (PM QoS; root)
qos=/dev/cpu_dma_latency
if [ -w "$qos" ]; then echo "cpu_latency_us: 100" >> KOR.yaml; else qos=; fi
for n in KOR USA JPN; do
  "$mwds" node --config "$n.yaml" > "$n.log" 2>&1 &
  pids+=($!)
done
"$mwds" sim "$scenarios/srbm-seen-by-kor.yaml" --policy policy.yaml --pki pki \
  --domain "$domain" --speed 20 --wait 60 > sim.log 2>&1 || fail "mwds sim: $(cat sim.log)"
if [ -n "$qos" ]; then
  held=$(od -An -td4 -N4 "$qos" | tr -d ' ')
  [ "$held" -le 100 ] || fail "KOR runs with cpu_latency_us: 100 but $qos holds $held"
  grep -q "idle CPUs wake within 100 us" KOR.log || fail "KOR did not say it holds the request"
fi
sleep 3
cleanup
for p in "${pids[@]}"; do wait "$p" || fail "a node exited with status $?"; done
pids=()

q() { sqlite3 "$1.journal" "$2"; }
# KOR tracked it and warned
[ "$(q KOR "select count(*) from sample where topic='Track' and direction='sent'")" -gt 10 ] ||
  fail "KOR published no tracks"
[ "$(q KOR "select count(*) from sample where topic='Warning' and direction='sent'
            and json_extract(payload,'\$.kind')='LAUNCH'")" -ge 1 ] || fail "KOR issued no LAUNCH"
for n in JPN USA; do
  # its own radar saw nothing of it
  [ "$(q $n "select count(*) from sample where topic='Track' and direction='sent'")" -eq 0 ] ||
    fail "$n's own radar tracked something: the test's premise is broken"
  # KOR's tracks and warnings arrived
  [ "$(q $n "select count(*) from sample where topic='Track' and direction='received'
             and origin='KOR'")" -gt 10 ] || fail "$n received no KOR tracks"
  [ "$(q $n "select count(*) from sample where topic='Warning' and direction='received'
             and origin='KOR' and json_extract(payload,'\$.kind')='LAUNCH'")" -ge 1 ] ||
    fail "$n did not receive KOR's LAUNCH"
  # and its own picture, fused from KOR's tracks, gave its own warnings
  [ "$(q $n "select count(*) from sample where topic='Warning' and direction='sent'
             and json_extract(payload,'\$.kind')='LAUNCH'")" -ge 1 ] ||
    fail "$n issued no LAUNCH from its fused picture"
  [ "$(q $n "select count(*) from sample where topic='Warning' and direction='sent'
             and json_extract(payload,'\$.kind')='IMPACT_PREDICTION'")" -ge 1 ] ||
    fail "$n issued no IMPACT_PREDICTION from its fused picture"
done
# no warning journalled twice anywhere
for n in KOR USA JPN; do
  dup=$(q $n "select count(*) - count(distinct direction||origin||key) from sample where topic='Warning'")
  [ "$dup" -eq 0 ] || fail "$n journalled $dup warnings twice"
done
echo "PASS: KOR tracked and warned; JPN and USA received and fused KOR's tracks and warned"
for n in KOR USA JPN; do
  echo "$n: $(q $n "select count(*) from sample where topic='Warning' and direction='sent'") warnings issued," \
       "$(q $n "select count(*) from sample where topic='Warning' and direction='received'") received"
done
