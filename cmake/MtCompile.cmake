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
