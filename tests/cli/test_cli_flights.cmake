# mwds flights: exit 0, and every published flight reproduced within 5 % of
# its reported flight time at the reported range and apogee (read from the
# JSON output, so a failure cannot hide behind a matching line of text).
# Run as: cmake -DMWDS=/path/to/mwds -P test_cli_flights.cmake

include(${CMAKE_CURRENT_LIST_DIR}/../cli/expect.cmake)

expect_exit(0 flights --json)
string(JSON n LENGTH "${out}")
if(n LESS 3)
  message(FATAL_ERROR "expected at least 3 published flights, got ${n}")
endif()
math(EXPR last "${n} - 1")
foreach(i RANGE ${last})
  string(JSON id GET "${out}" ${i} id)
  string(JSON t GET "${out}" ${i} flight_time_s)
  string(JSON t_pub GET "${out}" ${i} published_flight_time_s)
  string(JSON pct GET "${out}" ${i} flight_time_diff_pct)
  string(JSON r GET "${out}" ${i} range_km)
  string(JSON r_pub GET "${out}" ${i} published_range_km)
  string(JSON a GET "${out}" ${i} apogee_km)
  string(JSON a_pub GET "${out}" ${i} published_apogee_km)
  # CMake compares integers only: work in tenths of a percent and metres
  foreach(v pct r r_pub a a_pub)
    string(REGEX REPLACE "^(-?[0-9]+)\\.?([0-9]?[0-9]?[0-9]?).*$" "\\1.\\2000" tmp "${${v}}")
    string(REGEX REPLACE "^(-?[0-9]+)\\.([0-9][0-9][0-9]).*$" "\\1\\2" ${v}_milli "${tmp}")
  endforeach()
  math(EXPR dr "${r_milli} - ${r_pub_milli}")
  math(EXPR da "${a_milli} - ${a_pub_milli}")
  if(pct_milli GREATER 5000 OR pct_milli LESS -5000)
    message(FATAL_ERROR "${id}: flight time ${t} s is ${pct} % from the published ${t_pub} s")
  endif()
  if(dr GREATER 100 OR dr LESS -100 OR da GREATER 100 OR da LESS -100)
    message(FATAL_ERROR "${id}: flew ${r} km / apogee ${a} km, asked ${r_pub} / ${a_pub}")
  endif()
  message(STATUS "${id}: flight time ${t} s against ${t_pub} s (${pct} %)")
endforeach()
