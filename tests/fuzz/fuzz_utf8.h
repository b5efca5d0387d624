/* fuzz_utf8.h: the UTF-8 check the fuzz targets share: every record a
 * reader or the splitter emits must be valid UTF-8 (the matcher relies on
 * it). Included by the targets; static, so each target has its copy. */
#ifndef MT_FUZZ_UTF8_H
#define MT_FUZZ_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s[0..n), or 0. NUL counts as
 * valid only when nul_ok (the splitter's input may hold it; readers drop
 * it). Overlongs, surrogates and values past U+10FFFF are invalid. */
static size_t fuzz_utf8_len(const unsigned char *s, size_t n, int nul_ok)
{
    size_t len, i;
    uint32_t cp;

    if (s[0] < 0x80) {
        return s[0] == 0 && !nul_ok ? 0 : 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

static int fuzz_valid_utf8(const char *s, size_t n, int nul_ok)
{
    size_t i = 0, k;

    while (i < n) {
        k = fuzz_utf8_len((const unsigned char *)s + i, n - i, nul_ok);
        if (k == 0) {
            return 0;
        }
        i += k;
    }
    return 1;
}

#endif
