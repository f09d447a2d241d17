# mwds exercise: usage and bad input exit 2 with a message naming what was
# expected, before any node starts (no DDS here: quick).
# Run as: cmake -DMWDS=/path/to/mwds -DSCENARIOS=/path/to/scenarios
#               -DWORK=/scratch/folder -P test_cli_exercise.cmake
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include(${CMAKE_CURRENT_LIST_DIR}/../cli/expect.cmake)

set(S ${SCENARIOS}/srbm-seen-by-kor.yaml)
expect(0 "usage: mwds exercise run" exercise --help)
expect(2 "expected a subcommand: run" exercise)
expect(2 "unknown subcommand 'go'" exercise go)
expect(2 "exactly one|scenario|expected" exercise run)
expect(2 "nothere.yaml: cannot open" exercise run ${WORK}/nothere.yaml --out ${WORK}/a)
expect(2 "--speed: expected a number of times real time in \\[0.01, 10000\\] or max, got 'fast'"
       exercise run ${S} --speed fast --out ${WORK}/a)
expect(2 "--speed: expected .* got '0'" exercise run ${S} --speed 0 --out ${WORK}/a)
expect(2 "--domain" exercise run ${S} --domain 231 --out ${WORK}/a)
expect(2 "--out: expected a" exercise run ${S} --out "")
expect(2 "unknown" exercise run ${S} --sped 2)

# a launch beyond its class's reach is refused before anything starts
file(READ ${S} text)
string(REPLACE "target: {lat_deg: 38.8, lon_deg: 130.5}" "target: {lat_deg: 38.8, lon_deg: 150.5}"
       far "${text}")
file(WRITE ${WORK}/far.yaml "${far}")
expect(2 "launch SRBM-1" exercise run ${WORK}/far.yaml --out ${WORK}/far)
if(EXISTS ${WORK}/far/KOR.yaml)
  message(FATAL_ERROR "node configurations written for a scenario that cannot be flown")
endif()

# an earlier run's journals are not replaced without --force
file(MAKE_DIRECTORY ${WORK}/earlier)
file(WRITE ${WORK}/earlier/KOR.journal "")
expect(2 "holds the journals or report of an earlier run; pass --force"
       exercise run ${S} --out ${WORK}/earlier)

# the simulator's lockstep needs --speed max
expect(2 "--lockstep: only with --speed max" sim ${S} --policy p.yaml --pki pki --lockstep)
