# Helpers shared by every service: warnings, and one function that creates a service's library,
# executable and unit-test target from the conventional layout (STYLE.md).

function(renkei_warnings target)
  # -Werror: the project's own code builds without a warning (issue 17); generated code and
  # third-party headers are not built with these flags.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter -Werror)
  if(RENKEI_SANITIZE)
    # g++ 12 with -fsanitize=address reports std::regex's own std::function members as maybe
    # uninitialized (GCC bug 105562; its manual warns the sanitizers cause false positives).
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
endfunction()

# Registers a unit-test executable with CTest under the label `unit` and in the list the target
# `renkei_unit_tests` builds: renkei_common_test and each service's renkei_<name>_test. Unit tests
# need nothing outside their process: no nats-server, no child process, no service binary (those
# are the `integration`, `scenario` and `browser` tests in tests/). They are what the sanitizer
# build runs (tools/sanitize.sh): the others spawn the real binaries, which would then have to be
# built instrumented too, a second full build that doubles CI time.
function(renkei_unit_test target)
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
  set_property(GLOBAL APPEND PROPERTY RENKEI_UNIT_TESTS ${target})
endfunction()

# renkei_service(<name>
#   SOURCES <domain and RPC-edge sources>     -> library renkei_<name>
#   MAIN <main.cc>                             -> executable renkei-<name>
#   TESTS <unit tests *_test.cc>               -> renkei_<name>_test, registered with CTest
#   DEPS <extra libraries for the library; never another service's>)
function(renkei_service name)
  cmake_parse_arguments(ARG "" "MAIN" "SOURCES;TESTS;DEPS" ${ARGN})
  add_library(renkei_${name} STATIC ${ARG_SOURCES})
  # Its executable, its tests, renkeictl and the integration tests include "<name>/x.h"; the
  # library itself sees only its own directory and common (issue 17): one service never includes
  # another's headers, whatever they share lives in common.
  target_include_directories(renkei_${name} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/..)
  target_link_libraries(renkei_${name} PUBLIC renkei_common renkei_proto ${ARG_DEPS})
  renkei_warnings(renkei_${name})
  if(ARG_MAIN)
    add_executable(renkei-${name} ${ARG_MAIN})
    target_link_libraries(renkei-${name} PRIVATE renkei_${name})
    renkei_warnings(renkei-${name})
  endif()
  if(ARG_TESTS AND RENKEI_BUILD_TESTS)
    add_executable(renkei_${name}_test ${ARG_TESTS})
    target_link_libraries(renkei_${name}_test PRIVATE renkei_${name} renkei_testing GTest::gmock_main)
    renkei_warnings(renkei_${name}_test)
    renkei_unit_test(renkei_${name}_test)
  endif()
endfunction()
