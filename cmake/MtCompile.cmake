# Warning and sanitizer flags shared by every target.
set(MT_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wformat=2 -Wno-unused-parameter)
if(MT_WERROR)
  list(APPEND MT_WARNINGS -Werror)
endif()
if(MT_SANITIZE)
  add_compile_options(-fsanitize=${MT_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${MT_SANITIZE})
endif()
# A fuzz build instruments everything, the engine library above all: the
# targets only call into it, so without coverage there libFuzzer sees only
# the harness's own edges and mutates blind. The CLI and unit tests are
# built the same way and link the sanitizer runtimes, whose weak coverage
# hooks serve them; the fuzz targets add libFuzzer itself.
if(MT_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
# POSIX interfaces (fdopen, strndup-free code, nftw-free walking) in C11.
add_compile_definitions(_POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)

# The SONAME of the shared library among libs (full paths, as
# pkg_check_modules gives them) whose name starts with prefix: what dlopen
# is given to open the library the build was made against. objdump reads
# it from the file; without objdump, the name of the file the .so link
# points to, cut after its first version number (libarchive.so.13.6.2 ->
# libarchive.so.13).
function(mt_soname_of out prefix libs)
  foreach(lib ${libs})
    get_filename_component(name ${lib} NAME)
    if(name MATCHES "^${prefix}\\.so")
      if(CMAKE_OBJDUMP)
        execute_process(COMMAND ${CMAKE_OBJDUMP} -p ${lib}
          OUTPUT_VARIABLE dump ERROR_QUIET)
        if(dump MATCHES "SONAME +([^\n ]+)")
          set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
          return()
        endif()
      endif()
      get_filename_component(real ${lib} REALPATH)
      get_filename_component(name ${real} NAME)
      if(name MATCHES "^(${prefix}\\.so\\.[0-9]+)")
        set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
        return()
      endif()
    endif()
  endforeach()
  message(FATAL_ERROR "migtriage: no shared ${prefix} in '${libs}'")
endfunction()
