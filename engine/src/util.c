/* util.c: allocation wrappers, growable buffer, hashing. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *mt_malloc(size_t n)
{
    return malloc(n ? n : 1);
}

void *mt_calloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size ? size : 1);
}

void *mt_realloc(void *p, size_t n)
{
    return realloc(p, n ? n : 1);
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

static int grow(struct mt_buf *b, size_t need)
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
    if (grow(b, b->len + n) != 0) {
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
    if (n < 0 || grow(b, b->len + (size_t)n) != 0) {
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

unsigned long long mt_hash(const void *p, size_t n, unsigned long long h)
{
    const unsigned char *s = p;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
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
