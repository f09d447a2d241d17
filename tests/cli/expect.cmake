# Checks shared by the CLI contract tests (cmake -P scripts that run the mwds
# binary named by MWDS): run a command, check its exit status and what it
# printed. Include with include(${CMAKE_CURRENT_LIST_DIR}/../cli/expect.cmake).
# An empty argument is dropped on the way (CMake lists cannot hold one).

# run_mwds(OUT ERR RC args...): runs mwds with args; its stdout, stderr and
# exit status in the caller's variables OUT, ERR and RC.
function(run_mwds out_var err_var rc_var)
  execute_process(COMMAND ${MWDS} ${ARGN} OUTPUT_VARIABLE o ERROR_VARIABLE e RESULT_VARIABLE r)
  set(${out_var} "${o}" PARENT_SCOPE)
  set(${err_var} "${e}" PARENT_SCOPE)
  set(${rc_var} "${r}" PARENT_SCOPE)
endfunction()

# expect_exit(CODE args...): mwds exits with CODE; its stdout and stderr in
# the caller's out and err.
function(expect_exit code)
  run_mwds(o e rc ${ARGN})
  if(NOT rc EQUAL ${code})
    message(FATAL_ERROR "mwds ${ARGN}: exit ${rc}, expected ${code}\n${o}${e}")
  endif()
  set(out "${o}" PARENT_SCOPE)
  set(err "${e}" PARENT_SCOPE)
endfunction()

# expect(CODE REGEX args...): mwds exits with CODE and its stdout or stderr
# matches REGEX.
function(expect code regex)
  expect_exit(${code} ${ARGN})
  if(NOT "${out}${err}" MATCHES "${regex}")
    message(FATAL_ERROR "mwds ${ARGN}: output does not match '${regex}':\n${out}${err}")
  endif()
  string(REPLACE ";" " " args "${ARGN}")
  message(STATUS "mwds ${args}: exit ${code} as expected")
endfunction()

# expect_usage_error(REGEX args...): bad input is exit status 2, one line on
# stderr that matches REGEX, and nothing on stdout.
function(expect_usage_error regex)
  run_mwds(o e rc ${ARGN})
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "mwds ${ARGN}: exit ${rc}, want 2\nstderr: ${e}")
  endif()
  if(NOT e MATCHES "${regex}")
    message(FATAL_ERROR "mwds ${ARGN}: stderr does not match '${regex}': ${e}")
  endif()
  string(STRIP "${e}" stripped)
  if(stripped MATCHES "\n")
    message(FATAL_ERROR "mwds ${ARGN}: error is not one line: ${e}")
  endif()
  if(NOT o STREQUAL "")
    message(FATAL_ERROR "mwds ${ARGN}: printed to stdout on error: ${o}")
  endif()
endfunction()

# int_of(VAR TEXT): the integer part of a JSON number (CMake's math takes
# integers only).
function(int_of var text)
  string(REGEX REPLACE "^(-?[0-9]+).*$" "\\1" v "${text}")
  set(${var} ${v} PARENT_SCOPE)
endfunction()
