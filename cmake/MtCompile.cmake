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
# POSIX interfaces (fdopen, strndup-free code, nftw-free walking) in C11.
add_compile_definitions(_POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
