# Runs one golden CLI case: CASE_DIR/cmd holds the arguments (one line,
# shell-style quoting), CASE_DIR/stdin (optional) is fed to standard input.
# stdout, stderr and the exit code must equal expected.out, expected.err and
# expected.rc byte for byte. MT_UPDATE_GOLDEN=1 in the environment rewrites
# the expectations instead (review that diff like code).
file(READ ${CASE_DIR}/cmd args)
string(STRIP "${args}" args)
separate_arguments(args UNIX_COMMAND "${args}")
set(stdin_opt "")
if(EXISTS ${CASE_DIR}/stdin)
  set(stdin_opt INPUT_FILE ${CASE_DIR}/stdin)
endif()
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C TZ=UTC NO_COLOR=1
          MT_DATA_DIR=${MT_DATA} MT_CACHE_DIR=$ENV{MT_CACHE_DIR} MT_USER_DIR=
          ${MT_BIN} ${args}
  WORKING_DIRECTORY ${CASE_DIR}
  ${stdin_opt}
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE rc)

if("$ENV{MT_UPDATE_GOLDEN}" STREQUAL "1")
  file(WRITE ${CASE_DIR}/expected.out "${out}")
  file(WRITE ${CASE_DIR}/expected.err "${err}")
  file(WRITE ${CASE_DIR}/expected.rc "${rc}\n")
  return()
endif()

set(failed FALSE)
foreach(part out err)
  set(expect "")
  if(EXISTS ${CASE_DIR}/expected.${part})
    file(READ ${CASE_DIR}/expected.${part} expect)
  endif()
  if(NOT "${${part}}" STREQUAL "${expect}")
    file(WRITE ${CASE_DIR}/actual.${part} "${${part}}")
    message(SEND_ERROR "std${part} differs: diff ${CASE_DIR}/expected.${part} ${CASE_DIR}/actual.${part}")
    set(failed TRUE)
  endif()
endforeach()
file(READ ${CASE_DIR}/expected.rc expect_rc)
string(STRIP "${expect_rc}" expect_rc)
if(NOT "${rc}" STREQUAL "${expect_rc}")
  message(SEND_ERROR "exit code ${rc}, expected ${expect_rc}")
  set(failed TRUE)
endif()
if(NOT failed)
  file(REMOVE ${CASE_DIR}/actual.out ${CASE_DIR}/actual.err)
endif()
