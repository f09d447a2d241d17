# mwds exercise run --speed max replays exactly: the default exercise (one
# IRBM over northern Japan, three nations' radars and space IR) run twice in
# lockstep must give the same looks, tracks, system tracks and warnings in
# every node's journal, the same scores, and the same warnings in
# report.json, leaving aside what is wall-clock by nature (send and receipt
# times, latencies, wall durations). exercise_compare says what differs.
# DURATION_S, if given, shortens the scenario (a copy with that duration_s).
# Run as: cmake -DMWDS=/path/to/mwds -DCOMPARE=/path/to/exercise_compare
#               -DSCENARIOS=/path/to/scenarios -DWORK=/scratch/folder -DDOMAIN=N
#               [-DDURATION_S=S] -P test_exercise_replay.cmake
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(scenario "${SCENARIOS}/irbm-over-japan.yaml")
if(DEFINED DURATION_S)
  file(READ "${scenario}" text)
  string(REGEX REPLACE "\nduration_s: [0-9.]+" "\nduration_s: ${DURATION_S}" text "${text}")
  set(scenario "${WORK}/irbm-over-japan-${DURATION_S}s.yaml")
  file(WRITE "${scenario}" "${text}")
endif()

foreach(run a b)
  string(TIMESTAMP t0 "%s")
  execute_process(COMMAND ${MWDS} exercise run ${scenario} --speed max --out ${WORK}/${run}
                          --domain ${DOMAIN} --quiet
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  string(TIMESTAMP t1 "%s")
  math(EXPR wall "${t1} - ${t0}")
  message(STATUS "run ${run}: mwds exercise run: exit ${rc} after ${wall} s")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${run}: mwds exercise run: exit ${rc}:\n${out}\n${err}")
  endif()
endforeach()

execute_process(COMMAND ${COMPARE} ${scenario} ${WORK}/a ${WORK}/b
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message(STATUS "exercise_compare:\n${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the two runs at --speed max differ (exercise_compare exit ${rc})")
endif()
message(STATUS "PASS: two runs at --speed max gave the same journals, scores and warnings")
