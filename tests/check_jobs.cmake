# Checks that -j N changes nothing: the CLI runs with -j 1 and with more
# jobs on tests/fixtures, on a generated folder of many files (copies of
# the fixtures, so mailboxes and problems repeat across inputs), and on
# every golden case's command; stdout, stderr and the exit code must be
# the same bytes. Arguments: MT_BIN, MT_DATA, TESTS_DIR, WORK_DIR; with
# PART=long, only one long file (read on two threads with -j 2).
set(fixtures ${TESTS_DIR}/fixtures)
set(many ${WORK_DIR}/jobs-many)

set(failed FALSE)

# Runs the CLI with args (a list) in dir, with -j 1 then each of jobs.
function(compare label dir stdin_file jobs)
  set(args ${ARGN})
  set(stdin_opt "")
  if(stdin_file)
    set(stdin_opt INPUT_FILE ${stdin_file})
  endif()
  foreach(j 1 ${jobs})
    execute_process(
      COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C TZ=UTC NO_COLOR=1
              MT_DATA_DIR=${MT_DATA} MT_CACHE_DIR=$ENV{MT_CACHE_DIR}
              ${MT_BIN} -j ${j} ${args}
      WORKING_DIRECTORY ${dir}
      ${stdin_opt}
      OUTPUT_VARIABLE out_${j}
      ERROR_VARIABLE err_${j}
      RESULT_VARIABLE rc_${j})
    if(NOT j EQUAL 1)
      foreach(part out err rc)
        if(NOT "${${part}_${j}}" STREQUAL "${${part}_1}")
          string(MAKE_C_IDENTIFIER "${label}" id)
          file(WRITE ${WORK_DIR}/jobs-${id}-j1.${part} "${${part}_1}")
          file(WRITE ${WORK_DIR}/jobs-${id}-j${j}.${part} "${${part}_${j}}")
          message(SEND_ERROR "${label}: ${part} differs with -j ${j}: diff "
                  "${WORK_DIR}/jobs-${id}-j1.${part} "
                  "${WORK_DIR}/jobs-${id}-j${j}.${part}")
          set(failed TRUE PARENT_SCOPE)
        endif()
      endforeach()
    endif()
  endforeach()
endfunction()

# One long file, past the first MiB where -j 2 starts a second thread on
# it: the UTF-8 fixtures (Format-List objects, entries, errors, CRLF) over
# and over, a run that is not UTF-8 (a decoder warning) half-way.
if(PART STREQUAL "long")
  set(long ${WORK_DIR}/jobs-long.log)
  file(GLOB texts ${fixtures}/*.crlf.txt ${fixtures}/*.trimmed.txt)
  set(chunk "")
  foreach(t ${texts})
    file(READ ${t} content)
    string(APPEND chunk "${content}\n")
  endforeach()
  file(READ ${fixtures}/invalid-utf8.txt bad)
  file(WRITE ${long} "")
  foreach(k RANGE 99)
    file(APPEND ${long} "${chunk}")
    if(k EQUAL 60)
      file(APPEND ${long} "${bad}")
    endif()
  endforeach()
  file(SIZE ${long} size)
  if(size LESS 2097152)
    message(FATAL_ERROR "jobs-long.log is only ${size} bytes")
  endif()
  foreach(fmt text json ndjson)
    compare("long file ${fmt}" ${WORK_DIR} "" "2" --format ${fmt}
            jobs-long.log)
  endforeach()
  file(REMOVE ${long})
  if(failed)
    message(FATAL_ERROR "output depends on -j")
  endif()
  return()
endif()

# The generated folder: every fixture five times, the plain reports twenty
# times more, in nested directories.
file(REMOVE_RECURSE ${many})
file(GLOB top LIST_DIRECTORIES false ${fixtures}/*)
file(GLOB src LIST_DIRECTORIES false ${fixtures}/src/*)
foreach(k RANGE 4)
  file(COPY ${top} ${fixtures}/folder DESTINATION ${many}/all${k})
endforeach()
foreach(k RANGE 19)
  file(COPY ${src} DESTINATION ${many}/src/d${k})
endforeach()

foreach(fmt text json ndjson)
  compare("fixtures ${fmt}" ${fixtures} "" "2;3;4" --format ${fmt} .)
  compare("many ${fmt}" ${WORK_DIR} "" "3" --format ${fmt} jobs-many)
endforeach()
# Bounds reached across inputs: finding groups (inputs scanned again on
# the main thread) and the file limit (the walk stops mid-folder).
compare("many groups" ${WORK_DIR} "" "3" --format json
        --limit finding-groups=5 jobs-many)
compare("many files" ${WORK_DIR} "" "3" --format json --limit files=150
        jobs-many)
compare("two folders" ${WORK_DIR} "" "2" --format json jobs-many/src
        ${fixtures}/folder jobs-many/all0)

file(GLOB cases LIST_DIRECTORIES true ${TESTS_DIR}/cases/*)
foreach(case ${cases})
  if(IS_DIRECTORY ${case} AND EXISTS ${case}/cmd)
    file(READ ${case}/cmd args)
    string(STRIP "${args}" args)
    separate_arguments(args UNIX_COMMAND "${args}")
    set(stdin_file "")
    if(EXISTS ${case}/stdin)
      set(stdin_file ${case}/stdin)
    endif()
    get_filename_component(name ${case} NAME)
    compare("case ${name}" ${case} "${stdin_file}" "3" ${args})
  endif()
endforeach()

file(REMOVE_RECURSE ${many})
if(failed)
  message(FATAL_ERROR "output depends on -j")
endif()
