# Helpers for tests, fuzz targets and benchmarks.
#
# osc_add_test(NAME name SOURCES a.c [b.c] [LABELS unit;cache] [TIMEOUT s] [ARGS ...])
#   A cmocka test program linked with the library, the app objects and
#   tests/support.  Environment given to every test:
#     OSC_TEST_BIN      path of the oscontent program
#     OSC_SOURCE_DIR    source tree root
#     OSC_SHARED_DIR    ../shared next to the source tree (reference data)
#     OSC_BUILD_DIR     this build tree
# osc_add_fuzz(NAME name SOURCES f.c)
#   fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput.  Always builds a
#   replay program run under CTest over fuzz/corpus/<name>/; with OSC_FUZZ=ON
#   also builds fuzz_<name> with -fsanitize=fuzzer.
# osc_add_bench(NAME name SOURCES b.c)
#   A benchmark program bench_<name> (run by bench/run.sh, not by CTest).
pkg_check_modules(CMOCKA IMPORTED_TARGET cmocka)

function(osc_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LABELS;ARGS" ${ARGN})
  add_executable(test_${T_NAME} ${T_SOURCES})
  target_compile_definitions(test_${T_NAME} PRIVATE)
  target_link_libraries(test_${T_NAME} PRIVATE osc_testsupport oscontent_app PkgConfig::CMOCKA)
  add_test(NAME ${T_NAME} COMMAND test_${T_NAME} ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}"
    ENVIRONMENT "OSC_TEST_BIN=$<TARGET_FILE:oscontent>;OSC_SOURCE_DIR=${CMAKE_SOURCE_DIR};OSC_SHARED_DIR=${OSC_SHARED_DIR};OSC_BUILD_DIR=${CMAKE_BINARY_DIR};ASAN_OPTIONS=detect_leaks=1:abort_on_error=0;LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/lsan.supp:print_suppressions=0;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endfunction()

# Script tests (bash) get the same environment.
function(osc_add_script_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT;SCRIPT" "LABELS;ARGS" ${ARGN})
  add_test(NAME ${T_NAME} COMMAND bash ${T_SCRIPT} ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}"
    ENVIRONMENT "OSC_TEST_BIN=$<TARGET_FILE:oscontent>;OSC_SOURCE_DIR=${CMAKE_SOURCE_DIR};OSC_SHARED_DIR=${OSC_SHARED_DIR};OSC_BUILD_DIR=${CMAKE_BINARY_DIR};LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/lsan.supp:print_suppressions=0;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endfunction()

function(osc_add_fuzz)
  cmake_parse_arguments(F "" "NAME" "SOURCES" ${ARGN})
  add_executable(fuzz_replay_${F_NAME} ${CMAKE_SOURCE_DIR}/fuzz/replay_main.c ${F_SOURCES})
  target_compile_definitions(fuzz_replay_${F_NAME} PRIVATE)
  target_link_libraries(fuzz_replay_${F_NAME} PRIVATE oscontent_app)
  add_test(NAME fuzz_replay_${F_NAME} COMMAND fuzz_replay_${F_NAME} ${CMAKE_SOURCE_DIR}/fuzz/corpus/${F_NAME})
  set_tests_properties(fuzz_replay_${F_NAME} PROPERTIES TIMEOUT 300 LABELS "fuzz")
  if(OSC_FUZZ)
    add_executable(fuzz_${F_NAME} ${F_SOURCES})
    target_compile_options(fuzz_${F_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz_${F_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_compile_definitions(fuzz_${F_NAME} PRIVATE)
    target_link_libraries(fuzz_${F_NAME} PRIVATE oscontent_app)
  endif()
endfunction()

function(osc_add_bench)
  cmake_parse_arguments(B "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(bench_${B_NAME} ${B_SOURCES})
  target_compile_definitions(bench_${B_NAME} PRIVATE)
  target_include_directories(bench_${B_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/bench)
  target_link_libraries(bench_${B_NAME} PRIVATE osc_benchsupport oscontent_app ${B_LIBS})
  set_target_properties(bench_${B_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endfunction()

get_filename_component(OSC_SHARED_DIR ${CMAKE_SOURCE_DIR}/../shared ABSOLUTE)
