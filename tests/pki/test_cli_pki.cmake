# The mwds pki init command's contract: what it prints, exit status 0 when
# written, 2 with a one-line message naming the flag, file or line for bad
# input (including a folder that already holds a CA), and --help.
# Run as: cmake -DMWDS=/path/to/mwds -DWORK=/scratch/dir -P test_cli_pki.cmake

include(${CMAKE_CURRENT_LIST_DIR}/../cli/expect.cmake)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(policy ${WORK}/policy.yaml)
file(WRITE ${policy} "nations: [KOR, USA, JPN]
release:
  default: {Track: all, Warning: all, NodeStatus: all, Measurement: none}
  KOR: {Track: [USA]}
")
set(bad ${WORK}/bad.yaml)
file(WRITE ${bad} "nations: [KOR, USA]
release:
  KOR:
    Track: [USA, FRA]
")

expect_exit(0 pki --help)
if(NOT out MATCHES "usage: mwds pki init")
  message(FATAL_ERROR "pki --help: ${out}${err}")
endif()
expect_exit(0 pki init --help)
if(NOT out MATCHES "--nations")
  message(FATAL_ERROR "pki init --help: ${out}${err}")
endif()

set(out_dir ${WORK}/pki)
expect_exit(0 pki init --nations KOR,USA,JPN --policy ${policy} --out ${out_dir} --days 10)
foreach(nat KOR USA JPN)
  if(NOT out MATCHES "${out_dir}/${nat}: cert.pem, key.pem, permissions.xml, permissions.p7s \\(CN=${nat},O=mwds")
    message(FATAL_ERROR "pki init: no line for ${nat}: ${out}")
  endif()
  foreach(f cert.pem key.pem permissions.xml permissions.p7s)
    if(NOT EXISTS ${out_dir}/${nat}/${f})
      message(FATAL_ERROR "pki init: ${out_dir}/${nat}/${f} missing")
    endif()
  endforeach()
endforeach()
if(NOT out MATCHES "${out_dir}/KOR: [^\n]*Track in rel.KOR.USA")
  message(FATAL_ERROR "pki init: KOR's Track partition not reported: ${out}")
endif()
file(SHA256 ${out_dir}/ca.pem ca_before)

# bad usage and bad input: exit 2, one line naming the flag, file or line
expect_usage_error("unknown subcommand 'make'" pki make)
expect_usage_error("expected a subcommand" pki)
expect_usage_error("--nations: required" pki init --policy ${policy} --out ${WORK}/x)
expect_usage_error("--policy: required" pki init --nations KOR --out ${WORK}/x)
expect_usage_error("--out: required" pki init --nations KOR --policy ${policy})
expect_usage_error("unknown flag '--colour'" pki init --colour red)
file(WRITE ${WORK}/two.yaml "nations: [KOR, USA]\n")
expect_usage_error("--nations: JPN is not in the policy .*two.yaml \\(its nations: KOR, USA\\)"
                   pki init --nations KOR,JPN --policy ${WORK}/two.yaml --out ${WORK}/x)
expect_usage_error("--nations: the policy .*policy.yaml also has JPN"
                   pki init --nations KOR,USA --policy ${policy} --out ${WORK}/x)
expect_usage_error("--nations: USA is given twice"
                   pki init --nations KOR,USA,USA --policy ${policy} --out ${WORK}/x)
expect_usage_error("--nations: expected codes of three upper-case letters"
                   pki init --nations KOR,usa --policy ${policy} --out ${WORK}/x)
expect_usage_error("--policy: .*bad.yaml:4:18: release.KOR.Track\\[1\\]: unknown nation 'FRA'"
                   pki init --nations KOR,USA --policy ${bad} --out ${WORK}/x)
expect_usage_error("--policy: .*nope.yaml: cannot open"
                   pki init --nations KOR --policy ${WORK}/nope.yaml --out ${WORK}/x)
expect_usage_error("--days: 0 is outside"
                   pki init --nations KOR,USA,JPN --policy ${policy} --out ${WORK}/x --days 0)
expect_usage_error("--days: expected a whole number"
                   pki init --nations KOR,USA,JPN --policy ${policy} --out ${WORK}/x --days 1.5)
expect_usage_error("--out: .*already holds a CA.*--force"
                   pki init --nations KOR,USA,JPN --policy ${policy} --out ${out_dir})
file(SHA256 ${out_dir}/ca.pem ca_after)
if(NOT ca_before STREQUAL ca_after)
  message(FATAL_ERROR "a refused init changed ca.pem")
endif()
if(EXISTS ${WORK}/x)
  message(FATAL_ERROR "a refused init made its folder")
endif()

# a folder that cannot be made is a failure (1), naming the path
expect(1 "${WORK}/no/such/dir: cannot make the folder"
       pki init --nations KOR,USA,JPN --policy ${policy} --out ${WORK}/no/such/dir)

expect_exit(0 pki init --nations JPN,KOR,USA --policy ${policy} --out ${out_dir} --force
            --extra-topics DDSPerf*)
file(READ ${out_dir}/USA/permissions.xml usa)
if(NOT usa MATCHES "<topic>DDSPerf\\*</topic>")
  message(FATAL_ERROR "--extra-topics: no DDSPerf* rule in USA/permissions.xml")
endif()
file(REMOVE_RECURSE ${WORK})
message(STATUS "mwds pki init: contract holds")
