# The mwds score command's contract for bad input: one line on stderr naming
# the file (and field), nothing on stdout, exit status 2; --help exits 0.
# Run as: cmake -DMWDS=/path/to/mwds -DSCENARIOS=dir -DWORK=dir -P test_cli_score.cmake

include(${CMAKE_CURRENT_LIST_DIR}/../cli/expect.cmake)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(scenario ${SCENARIOS}/srbm-seen-by-kor.yaml)
file(WRITE ${WORK}/notes.txt "not a journal\n")
file(WRITE ${WORK}/bad.yaml "name: [\n")

expect_usage_error("expected a scenario file and at least one journal" score)
expect_usage_error("expected a scenario file and at least one journal" score ${scenario})
expect_usage_error("${WORK}/notes.txt: not an mwds journal" score ${scenario} ${WORK}/notes.txt)
expect_usage_error("${WORK}/missing.journal: cannot open" score ${scenario}
                   ${WORK}/missing.journal)
expect_usage_error("${WORK}/bad.yaml:" score ${WORK}/bad.yaml ${WORK}/notes.txt)
expect_usage_error("--out: ${WORK}/nowhere" score ${scenario} ${WORK}/notes.txt
                   --out ${WORK}/nowhere)
expect_usage_error("--ospa-p" score ${scenario} ${WORK}/notes.txt --ospa-p 0.5)
expect_usage_error("unknown flag '--bogus'" score ${scenario} ${WORK}/notes.txt --bogus)

expect_exit(0 score --help)
if(NOT out MATCHES "report.json")
  message(FATAL_ERROR "mwds score --help: ${out}")
endif()
