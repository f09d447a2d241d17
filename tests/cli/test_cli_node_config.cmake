# mwds node's configuration file: each mistake a user can make is refused
# before any DDS entity exists, with exit status 2 and one line naming the
# file, line, column and key, and what was expected (no DDS here: quick).
# Run as: cmake -DMWDS=/path/to/mwds -DWORK=/scratch/folder -P test_cli_node_config.cmake
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(base "nation: KOR\npolicy: policy.yaml\npki: pki\nsensors: s.yaml\njournal: k.journal\n")

# config(NAME TEXT): writes WORK/NAME.yaml
function(config name text)
  file(WRITE "${WORK}/${name}.yaml" "${text}")
endfunction()

# node_error(NAME REGEX): mwds node --config WORK/NAME.yaml fails as expected
function(node_error name regex)
  expect_usage_error("${regex}" node --config "${WORK}/${name}.yaml")
  message(STATUS "${name}: refused as expected")
endfunction()

expect_usage_error("nope.yaml: cannot open" node --config "${WORK}/nope.yaml")

config(syntax "nation: [KOR\n")
node_error(syntax "syntax.yaml:2:1: YAML syntax error: ")
config(list "- nation: KOR\n")
node_error(list "list.yaml:1:1: expected a node configuration .*, got a list")
config(empty "# nothing yet\n")
node_error(empty "empty.yaml:1:1: expected a node configuration .*got an empty document")
config(typo "${base}natoin: KOR\n")
node_error(typo "typo.yaml:6:1: unknown key 'natoin' \\(did you mean 'nation'\\?\\)")
config(unknown "${base}colour: red\n")
node_error(unknown "unknown.yaml:6:1: unknown key 'colour' \\(expected one of: nation, policy, ")
config(twice "${base}nation: USA\n")
node_error(twice "twice.yaml:6:1: duplicate key 'nation' \\(first at line 1\\)")
config(missing "nation: KOR\npolicy: policy.yaml\npki: pki\nsensors: s.yaml\n")
node_error(missing "missing.yaml:1:1: missing required key 'journal'")
config(no_pki "nation: KOR\npolicy: policy.yaml\nsensors: s.yaml\njournal: k.journal\n")
node_error(no_pki "no_pki.yaml:1:1: missing key 'pki': security is on and needs the folder")
config(nation "nation: kor\npolicy: policy.yaml\npki: pki\nsensors: s.yaml\njournal: k.journal\n")
node_error(nation "nation.yaml:1:9: nation: expected a nation code of three upper-case letters.*got 'kor'")
config(no_value "${base}areas:\n")
node_error(no_value "no_value.yaml:6:1: areas: expected a value, got nothing")
config(path "${base}areas: [a, b]\n")
node_error(path "path.yaml:6:8: areas: expected a file or folder path, got a list")
config(domain "${base}domain_id: 231\n")
node_error(domain "domain.yaml:6:12: domain_id: expected a whole number in \\[0, 230\\], got 231")
config(domain_frac "${base}domain_id: 1.5\n")
node_error(domain_frac "domain_frac.yaml:6:12: domain_id: expected a whole number .*got 1.5")
config(secure "${base}secure: maybe\n")
node_error(secure "secure.yaml:6:9: secure: expected true or false, got 'maybe'")
config(heartbeat "${base}heartbeat_s: 0\n")
node_error(heartbeat "heartbeat.yaml:6:14: heartbeat_s: expected seconds in \\[0.01, 3600\\], got 0")
config(rt_range "${base}realtime_priority: 100\n")
node_error(rt_range "rt_range.yaml:6:20: realtime_priority: expected a whole number in \\[0, 99\\], got 100")
config(rt_frac "${base}realtime_priority: 2.5\n")
node_error(rt_frac "rt_frac.yaml:6:20: realtime_priority: expected a whole number in \\[0, 99\\], got 2.5")
config(cpu_latency "${base}cpu_latency_us: -1\n")
node_error(cpu_latency "cpu_latency.yaml:6:17: cpu_latency_us: expected a whole number of microseconds in \\[0, 100000\\], got -1")
string(REPEAT "# padding to pass the size limit of a node configuration\n" 1200 big)
config(big "${base}${big}")
node_error(big "big.yaml: file is larger than the 64 KiB limit for node configuration files")

# accepted: the next file named (the policy, relative to the configuration's
# folder) is what fails; yes and no are still read as booleans
config(plain "nation: KOR\npolicy: policy.yaml\nsensors: s.yaml\njournal: k.journal\nsecure: no\n")
expect_usage_error("${WORK}/policy.yaml: cannot open" node --config "${WORK}/plain.yaml")
message(STATUS "mwds node configuration: every mistake refused with its place")
