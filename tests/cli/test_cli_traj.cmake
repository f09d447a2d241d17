# The mwds traj command's contract: JSON keys and values, CSV shape, and a
# one-line error naming the flag with exit status 2 for each kind of bad input.
# Run as: cmake -DMWDS=/path/to/mwds -P test_cli_traj.cmake

include(${CMAKE_CURRENT_LIST_DIR}/../cli/expect.cmake)

function(expect_between name value lo hi)
  if(value LESS lo OR value GREATER hi)
    message(FATAL_ERROR "${name} = ${value}, want within [${lo}, ${hi}]")
  endif()
endfunction()

# JSON: the published 4 Oct 2022 profile
expect_exit(0 traj --launch 40.61,126.43 --azimuth 84.2 --range-km 4600 --apogee-km 970
            --class irbm --json)
foreach(key apogee_km range_km flight_time_s impact_lat impact_lon burnout_time_s
            burnout_alt_km burnout_speed_m_s max_speed_m_s)
  string(JSON v ERROR_VARIABLE jerr GET "${out}" ${key})
  if(jerr)
    message(FATAL_ERROR "JSON has no key ${key}: ${out}")
  endif()
endforeach()
string(JSON apogee GET "${out}" apogee_km)
string(JSON range GET "${out}" range_km)
string(JSON t GET "${out}" flight_time_s)
string(JSON lat GET "${out}" impact_lat)
string(JSON lon GET "${out}" impact_lon)
expect_between(apogee_km ${apogee} 969.9 970.1)
expect_between(range_km ${range} 4599.9 4600.1)
expect_between(flight_time_s ${t} 1254 1386)  # 22 min within 5 %
# The geodesic from the launch area along 84.2 deg for 4,600 km ends at
# 32.639 N, 177.646 E (PROJ's geod). Without the Earth's rotation the impact
# is on it; with rotation the Coriolis force deflects an eastbound missile in
# the northern hemisphere to the right (south), here by a few hundred km.
expect_between(impact_lat ${lat} 29.5 32.0)
expect_exit(0 traj --launch 40.61,126.43 --azimuth 84.2 --range-km 4600 --apogee-km 970
            --class irbm --json --no-rotation)
string(JSON lat_nr GET "${out}" impact_lat)
string(JSON lon_nr GET "${out}" impact_lon)
expect_between(impact_lat_no_rotation ${lat_nr} 32.59 32.69)
expect_between(impact_lon_no_rotation ${lon_nr} 177.55 177.75)

# CSV: header, one row a second, ends at impact near zero height
expect_exit(0 traj --launch 38,127 --azimuth 90 --range-km 300 --class srbm --csv)
string(REGEX MATCHALL "[^\n]+" lines "${out}")
list(GET lines 0 header)
if(NOT header STREQUAL "t_s,lat_deg,lon_deg,h_m,speed_m_s")
  message(FATAL_ERROR "CSV header: ${header}")
endif()
list(LENGTH lines n)
expect_between(csv_rows ${n} 200 600)
list(GET lines -1 last)
string(REPLACE "," ";" last "${last}")
list(GET last 3 h_last)
expect_between(final_height_m ${h_last} -1 1)

# text output without a class picks the smallest that can fly it
expect_exit(0 traj --launch 38,127 --target 38,129)
if(NOT out MATCHES "class +srbm")
  message(FATAL_ERROR "traj --target without --class: ${out}")
endif()

# bad input: one line naming the flag, exit 2
expect_usage_error("--launch: latitude 95 is outside"
                   traj --launch 95,126 --azimuth 90 --range-km 300)
expect_usage_error("--range-km: -300 is outside"
                   traj --launch 40,126 --azimuth 90 --range-km -300)
expect_usage_error("--range-km: must be positive"
                   traj --launch 40,126 --azimuth 90 --range-km 0)
expect_usage_error("--apogee-km: apogee 9000.0 km is above the highest apogee found for class irbm"
                   traj --launch 40,126 --azimuth 90 --range-km 4600 --apogee-km 9000
                   --class irbm)
expect_usage_error("--class: unknown class 'scud-z'"
                   traj --launch 40,126 --azimuth 90 --range-km 300 --class scud-z)
expect_usage_error("--range-km: range 5000.0 km is beyond class srbm"
                   traj --launch 40,126 --azimuth 90 --range-km 5000 --class srbm)
expect_usage_error("--launch: expected LAT,LON"
                   traj --launch 40 --azimuth 90 --range-km 300)
expect_usage_error("--azimuth: 'east' is not a number"
                   traj --launch 40,126 --azimuth east --range-km 300)
expect_usage_error("unknown flag '--rnage-km'"
                   traj --launch 40,126 --azimuth 90 --rnage-km 300)
expect_usage_error("give --azimuth and --range-km, or --target" traj --launch 40,126)
expect_usage_error("--json and --csv exclude each other"
                   traj --launch 40,126 --azimuth 90 --range-km 300 --json --csv)
expect_usage_error("unknown command 'trajectory'" trajectory)
expect_usage_error("--target excludes --azimuth and --range-km"
                   traj --launch 40,126 --target 41,130 --azimuth 90)
expect_usage_error("--apogee-km: must be positive"
                   traj --launch 40,126 --azimuth 90 --range-km 300 --apogee-km 0)
expect_usage_error("--dt: 0 is outside"
                   traj --launch 40,126 --azimuth 90 --range-km 300 --csv --dt 0)
expect_usage_error("--range-km: expected a value" traj --launch 40,126 --azimuth 90 --range-km)
expect_usage_error("--json takes no value"
                   traj --launch 40,126 --azimuth 90 --range-km 300 --json=yes)
# without --class, an apogee no class can fly is blamed on --apogee-km
expect_usage_error("--apogee-km: no class in the catalogue can fly this: apogee"
                   traj --launch 40,127 --target 41,139 --apogee-km 20)
expect_usage_error("unknown flag '--fast'" flights --fast)
expect_usage_error("--json and --markdown exclude each other" flights --json --markdown)
expect_usage_error("--launch: latitude -91 is outside" classes --launch -91,0)
message(STATUS "mwds traj CLI contract: all checks passed")
