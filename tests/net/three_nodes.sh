# Sourced by the net tests: in the current folder, a policy that releases
# tracks, warnings and heartbeats to all three nations (measurements to
# none), their PKI, and a node configuration NAT.yaml per nation.
# Usage: write_three_nodes MWDS SCENARIO DOMAIN_ID
write_three_nodes() {
  local mwds=$1 scenario=$2 domain=$3 n
  cat > policy.yaml <<'YAML'
nations: [KOR, USA, JPN]
release:
  default: {Track: all, Warning: all, NodeStatus: all, Measurement: none}
YAML
  "$mwds" pki init --nations KOR,USA,JPN --policy policy.yaml --out pki >/dev/null
  for n in KOR USA JPN; do
    cat > "$n.yaml" <<YAML
nation: $n
policy: policy.yaml
pki: pki
sensors: $scenario
journal: $n.journal
domain_id: $domain
YAML
  done
}
