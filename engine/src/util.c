/* util.c: allocation wrappers, growable buffer, hashing. */
#include "util.h"

#include "patterns.h" /* PCRE2, for its contexts below */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef MT_TORTURE
/* Allocation-failure injection, compiled only into the torture build
 * (tests/torture/): MT_FAIL_ALLOC=N makes the Nth allocation fail (once;
 * later ones succeed, as in curl's torture test), and MT_ALLOC_COUNT=path
 * writes how many allocations the run made when it exits. Jansson, PCRE2
 * and expat allocate through these functions too (see mt_torture_init and
 * mt_pcre2_general_context), so their failures are injected as well;
 * libarchive and zlib keep their own allocators. Counting is atomic
 * because -j scans on worker threads. */
#include <jansson.h>

static unsigned long long torture_fail_at;
static unsigned long long torture_count;
static pcre2_general_context *torture_pcre2_general;
static pcre2_compile_context *torture_pcre2_compile;

static void *torture_pcre2_malloc(PCRE2_SIZE n, void *ctx)
{
    (void)ctx;
    return mt_malloc(n);
}

static void torture_pcre2_free(void *p, void *ctx)
{
    (void)ctx;
    mt_free(p);
}

static void torture_report(void)
{
    const char *path = getenv("MT_ALLOC_COUNT");
    FILE *f;

    if (path == NULL || *path == '\0' || (f = fopen(path, "w")) == NULL) {
        return;
    }
    fprintf(f, "%llu\n", __atomic_load_n(&torture_count, __ATOMIC_RELAXED));
    fclose(f);
}

static void torture_exit(void)
{
    torture_report();
    pcre2_compile_context_free(torture_pcre2_compile);
    pcre2_general_context_free(torture_pcre2_general);
}

__attribute__((constructor)) static void mt_torture_init(void)
{
    const char *n = getenv("MT_FAIL_ALLOC");

    torture_fail_at = n != NULL ? strtoull(n, NULL, 10) : 0;
    json_set_alloc_funcs(mt_malloc, mt_free);
    /* Made before counting starts: these two never fail. */
    torture_pcre2_general = pcre2_general_context_create(
        torture_pcre2_malloc, torture_pcre2_free, NULL);
    torture_pcre2_compile =
        pcre2_compile_context_create(torture_pcre2_general);
    torture_count = 0;
    atexit(torture_exit);
}

pcre2_general_context *mt_pcre2_general(void)
{
    return torture_pcre2_general;
}

pcre2_compile_context *mt_pcre2_compile_context(void)
{
    return torture_pcre2_compile;
}

void mt_torture_fail_after(unsigned long long k)
{
    torture_fail_at =
        k ? __atomic_load_n(&torture_count, __ATOMIC_RELAXED) + k : 0;
}

/* Whether this allocation is the one to fail. */
static int torture_fail(void)
{
    unsigned long long k =
        __atomic_add_fetch(&torture_count, 1, __ATOMIC_RELAXED);
    return torture_fail_at != 0 && k == torture_fail_at;
}
#define TORTURE_FAIL() torture_fail()
#else
#define TORTURE_FAIL() 0

/* PCRE2's own malloc outside the torture build. */
pcre2_general_context *mt_pcre2_general(void)
{
    return NULL;
}

pcre2_compile_context *mt_pcre2_compile_context(void)
{
    return NULL;
}
#endif

/* Allocation failures since the process started: a failure that some
 * caller absorbed (dropped a finding, skipped a field) must still end the
 * run as out of memory rather than as a report that is silently short. */
static unsigned long long alloc_failures;

void mt_note_alloc_failure(void)
{
    __atomic_add_fetch(&alloc_failures, 1, __ATOMIC_RELAXED);
}

unsigned long long mt_alloc_failures(void)
{
    return __atomic_load_n(&alloc_failures, __ATOMIC_RELAXED);
}

static void *counted(void *p)
{
    if (p == NULL) {
        mt_note_alloc_failure();
    }
    return p;
}

void *mt_malloc(size_t n)
{
    if (TORTURE_FAIL()) {
        return counted(NULL);
    }
    return counted(malloc(n ? n : 1));
}

void *mt_calloc(size_t n, size_t size)
{
    if (TORTURE_FAIL()) {
        return counted(NULL);
    }
    return counted(calloc(n ? n : 1, size ? size : 1));
}

void *mt_realloc(void *p, size_t n)
{
    if (TORTURE_FAIL()) {
        return counted(NULL);
    }
    return counted(realloc(p, n ? n : 1));
}

void mt_free(void *p)
{
    free(p);
}

char *mt_strndup(const char *s, size_t n)
{
    char *d = mt_malloc(n + 1);
    if (d == NULL) {
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *mt_strdup(const char *s)
{
    return s ? mt_strndup(s, strlen(s)) : NULL;
}

char *mt_asprintf(const char *fmt, ...)
{
    struct mt_buf b;
    va_list ap;
    int n;

    mt_buf_init(&b, 0);
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    b.data = mt_malloc((size_t)n + 1);
    if (b.data == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(b.data, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return b.data;
}

void mt_buf_init(struct mt_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

int mt_buf_reserve(struct mt_buf *b, size_t need)
{
    size_t n;
    char *p;

    if (b->cap && need > b->cap) {
        return -1;
    }
    if (need + 1 <= b->alloc) {
        return 0;
    }
    n = b->alloc ? b->alloc : 256;
    while (n < need + 1) {
        n *= 2;
    }
    p = mt_realloc(b->data, n);
    if (p == NULL) {
        return -1;
    }
    b->data = p;
    b->alloc = n;
    return 0;
}

int mt_buf_append(struct mt_buf *b, const void *p, size_t n)
{
    if (mt_buf_reserve(b, b->len + n) != 0) {
        return -1;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int mt_buf_appendc(struct mt_buf *b, char c)
{
    return mt_buf_append(b, &c, 1);
}

int mt_buf_appendf(struct mt_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || mt_buf_reserve(b, b->len + (size_t)n) != 0) {
        return -1;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void mt_buf_reset(struct mt_buf *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

void mt_buf_free(struct mt_buf *b)
{
    mt_free(b->data);
    mt_buf_init(b, b->cap);
}

char *mt_buf_steal(struct mt_buf *b)
{
    char *d = b->data;
    if (d == NULL) {
        d = mt_strdup("");
    }
    mt_buf_init(b, b->cap);
    return d;
}

int mt_is_directory(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

unsigned long long mt_hash(const void *p, size_t n, unsigned long long h)
{
    const unsigned char *s = p;
    size_t i;

    for (i = 0; i < n; i++) {
        h = mt_hash_byte(h, s[i]);
    }
    return h;
}

int mt_utf8_lead(unsigned char b, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
        return 1;
    }
    if (b == 0xE0) {
        *lo = 0xA0;
        return 2;
    }
    if (b == 0xED) {
        *hi = 0x9F;
        return 2;
    }
    if (b >= 0xE1 && b <= 0xEF) {
        return 2;
    }
    if (b == 0xF0) {
        *lo = 0x90;
        return 3;
    }
    if (b == 0xF4) {
        *hi = 0x8F;
        return 3;
    }
    if (b >= 0xF1 && b <= 0xF3) {
        return 3;
    }
    return 0;
}
