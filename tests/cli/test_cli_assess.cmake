cmake_policy(SET CMP0057 NEW)
# mwds assess on real events' shapes (read from the JSON warnings):
#   - the IRBM over northern Japan (4 Oct 2022 profile): every nation warns
#     of the overflight of Japan before the missile gets there, and no
#     impact prediction names any territory (it comes down in the Pacific);
#   - the SRBM salvo into the sea between Korea and Japan: no impact
#     prediction names any territory;
#   - the lofted ICBM into the sea west of Hokkaido: every impact prediction
#     classes it an ICBM, lofted, and names no territory.
# Also: exit codes for bad input.
# Run as: cmake -DMWDS=/path/to/mwds -DSCENARIOS=/path/to/scenarios -P test_cli_assess.cmake

include(${CMAKE_CURRENT_LIST_DIR}/../cli/expect.cmake)

# Checks every IMPACT_PREDICTION: no threatened territory; class and profile
# if given. Sets n_pred in the caller.
function(check_predictions label want_class want_profile)
  string(JSON n LENGTH "${out}" warnings)
  set(count 0)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON kind GET "${out}" warnings ${i} kind)
    if(NOT kind STREQUAL "IMPACT_PREDICTION")
      continue()
    endif()
    math(EXPR count "${count} + 1")
    string(JSON origin GET "${out}" warnings ${i} origin)
    string(JSON nt LENGTH "${out}" warnings ${i} assessment threatened)
    if(nt GREATER 0)
      string(JSON th GET "${out}" warnings ${i} assessment threatened)
      message(FATAL_ERROR "${label}: ${origin} predicts an impact threatening ${th}")
    endif()
    if(want_class)
      string(JSON cls GET "${out}" warnings ${i} assessment class)
      string(JSON prof GET "${out}" warnings ${i} assessment profile)
      if(NOT cls STREQUAL want_class OR NOT prof STREQUAL want_profile)
        message(FATAL_ERROR "${label}: ${origin} classes it ${cls} ${prof}")
      endif()
    endif()
  endforeach()
  if(count EQUAL 0)
    message(FATAL_ERROR "${label}: no impact prediction at all")
  endif()
  message(STATUS "${label}: ${count} impact predictions, none on land")
endfunction()

expect_exit(0 assess ${SCENARIOS}/irbm-over-japan.yaml --json)
check_predictions("IRBM over Japan" "IRBM" "standard")
string(JSON n LENGTH "${out}" warnings)
math(EXPR last "${n} - 1")
set(warned "")
foreach(i RANGE ${last})
  string(JSON kind GET "${out}" warnings ${i} kind)
  if(kind STREQUAL "OVERFLIGHT")
    string(JSON area GET "${out}" warnings ${i} area)
    string(JSON origin GET "${out}" warnings ${i} origin)
    string(JSON issued GET "${out}" warnings ${i} issued_t_s)
    string(JSON entry GET "${out}" warnings ${i} event_t_s)
    int_of(issued_i "${issued}")
    int_of(entry_i "${entry}")
    if(area STREQUAL "JPN" AND issued_i LESS entry_i)
      list(APPEND warned ${origin})
      math(EXPR lead "${entry_i} - ${issued_i}")
      message(STATUS "${origin}: overflight of JPN warned at T+${issued} s, ${lead} s ahead")
    endif()
  endif()
endforeach()
foreach(nation KOR USA JPN)
  if(NOT nation IN_LIST warned)
    message(FATAL_ERROR "IRBM over Japan: ${nation} gave no OVERFLIGHT warning for JPN "
                        "before the crossing")
  endif()
endforeach()

expect_exit(0 assess ${SCENARIOS}/salvo-search-and-track.yaml --json)
check_predictions("SRBM salvo" "" "")

expect_exit(0 assess ${SCENARIOS}/icbm-lofted-hokkaido.yaml --json)
check_predictions("lofted ICBM west of Hokkaido" "ICBM" "lofted")

expect_exit(2 assess ${SCENARIOS}/irbm-over-japan.yaml --areas /nonexistent.geojson)
if(NOT err MATCHES "/nonexistent.geojson")
  message(FATAL_ERROR "a missing areas file: the message does not name it: '${err}'")
endif()

# mwds bench assess: one run of each case, its JSON keys (figures live in docs/)
expect_exit(0 bench assess --runs 1 --json)
string(JSON n LENGTH "${out}")
if(NOT n EQUAL 3)
  message(FATAL_ERROR "mwds bench assess: expected 3 cases, got ${n}")
endif()
foreach(i 0 1 2)
  string(JSON name GET "${out}" ${i} case)
  string(JSON first GET "${out}" ${i} first_launch_warning_s)
  string(JSON cal GET "${out}" ${i} impact_ellipse_containment)
  string(JSON pip GET "${out}" ${i} at 4 pip_error_km_median)
  message(STATUS "bench assess ${name}: first LAUNCH ${first} s, containment ${cal}, late PIP error ${pip} km")
endforeach()
