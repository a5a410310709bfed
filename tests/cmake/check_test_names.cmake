# Fails when a Catch2 test name cannot be run by ctest. catch_discover_tests splits a name
# at ";" (CMake's list separator) into entries whose filters match nothing, and Catch2 exits 0
# when nothing matched: such a test "passes" without running.
# Usage: cmake -DTEST_BINARY=<path> -P check_test_names.cmake
# (Catch2 v2 exits with the number of tests listed, so the output is checked, not the code.)
execute_process(COMMAND "${TEST_BINARY}" --list-test-names-only OUTPUT_VARIABLE names)
if(names STREQUAL "")
  message(FATAL_ERROR "${TEST_BINARY} --list-test-names-only listed no tests")
endif()
string(REPLACE ";" "<SEMICOLON>" names "${names}")
string(REPLACE "\n" ";" lines "${names}")
set(bad "")
foreach(line IN LISTS lines)
  if(line MATCHES "<SEMICOLON>")
    string(APPEND bad "\n  ${line}")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "test names ctest cannot run (a ';' splits them; rename them):${bad}")
endif()
