/* util.h: allocation and small string helpers shared by every stage. */
#ifndef MT_UTIL_H
#define MT_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* All engine allocations go through these, so that allocation policy (and
 * any fault injection a test wants) lives in one place. */
void *mt_malloc(size_t n);
void *mt_calloc(size_t n, size_t size);
void *mt_realloc(void *p, size_t n);
void mt_free(void *p);
char *mt_strdup(const char *s);
/* Allocation failures so far in this process (those of the functions
 * above, and those noted by hand for a library that allocates on its own
 * and says it ran out of memory). */
unsigned long long mt_alloc_failures(void);
void mt_note_alloc_failure(void);
char *mt_strndup(const char *s, size_t n);
/* Returns a malloc'd formatted string, or NULL. */
char *mt_asprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#ifdef MT_TORTURE
/* Torture build only (util.c): makes the kth allocation from now fail;
 * 0 turns injection off. */
void mt_torture_fail_after(unsigned long long k);
#endif

/* A growable byte buffer, always NUL-terminated. A non-zero cap makes
 * appends past it fail with -1 (the caller decides: cut or reject). */
struct mt_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
};

void mt_buf_init(struct mt_buf *b, size_t cap);
/* Room for need bytes of data and the NUL (data may then be written at
 * any offset below need); -1 past the cap or out of memory. */
int mt_buf_reserve(struct mt_buf *b, size_t need);
int mt_buf_append(struct mt_buf *b, const void *p, size_t n);
int mt_buf_appendc(struct mt_buf *b, char c);
int mt_buf_appendf(struct mt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mt_buf_reset(struct mt_buf *b);
void mt_buf_free(struct mt_buf *b);
/* Hands the data to the caller (who mt_free()s it) and resets b. */
char *mt_buf_steal(struct mt_buf *b);

/* 64-bit FNV-1a, for hashing keys and fingerprints. */
/* The continuation count of a UTF-8 lead byte (0: not a lead byte) and
 * the range its next byte must fall in, which rules out overlong forms,
 * surrogates and code points past U+10FFFF. */
int mt_utf8_lead(unsigned char b, unsigned char *lo, unsigned char *hi);

/* 1 when path names a directory (symbolic links followed). */
int mt_is_directory(const char *path);

unsigned long long mt_hash(const void *p, size_t n, unsigned long long h);
#define MT_HASH_SEED 1469598103934665603ULL
/* One step of mt_hash (FNV-1a), for loops that hash bytes they transform
 * (lower-cased names) without a call a byte. */
static inline unsigned long long mt_hash_byte(unsigned long long h,
                                              unsigned char c)
{
    return (h ^ c) * 1099511628211ULL;
}

/* ASCII upper case to lower, every other byte as it is: the case folding
 * of Hyperscan's caseless flag and of the KB's names, whatever the locale
 * (tolower depends on it). */
static inline unsigned char mt_ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

#endif
