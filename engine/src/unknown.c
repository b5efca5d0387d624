/* unknown.c: masking and clustering of unmatched error-like records. */
#include "unknown.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TEMPLATE_MAX 320
#define EXAMPLE_MAX 400

void mt_unknown_init(struct mt_unknown *u, size_t max_clusters)
{
    memset(u, 0, sizeof(*u));
    u->max_clusters = max_clusters;
}

static int is_hex(int c)
{
    return isxdigit(c) != 0;
}

/* Length of a GUID at p (8-4-4-4-12 hex digits), or 0. */
static size_t guid_len(const char *p, size_t n)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    size_t i = 0;
    int g, k;

    for (g = 0; g < 5; g++) {
        for (k = 0; k < groups[g]; k++, i++) {
            if (i >= n || !is_hex((unsigned char)p[i])) {
                return 0;
            }
        }
        if (g < 4) {
            if (i >= n || p[i] != '-') {
                return 0;
            }
            i++;
        }
    }
    return i;
}

static size_t token_len(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && !isspace((unsigned char)p[i]) && p[i] != '\'' &&
           p[i] != '"' && p[i] != ',' && p[i] != ')' && p[i] != ']') {
        i++;
    }
    return i;
}

static int has_at(const char *p, size_t n)
{
    return memchr(p, '@', n) != NULL;
}

static size_t put(char *out, size_t o, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (o + n >= cap) {
        n = cap - 1 - o;
    }
    memcpy(out + o, s, n);
    return o + n;
}

void mt_unknown_mask(const char *text, size_t len, char *out, size_t cap)
{
    size_t i = 0, o = 0;

    while (i < len && o + 1 < cap) {
        unsigned char c = (unsigned char)text[i];
        size_t t;

        if ((t = guid_len(text + i, len - i)) > 0) {
            o = put(out, o, cap, "<GUID>");
            i += t;
        } else if (c == '0' && i + 2 < len &&
                   (text[i + 1] == 'x' || text[i + 1] == 'X') &&
                   is_hex((unsigned char)text[i + 2])) {
            o = put(out, o, cap, "<HEX>");
            for (i += 2; i < len && is_hex((unsigned char)text[i]); i++) {
            }
        } else if ((c == 'h' || c == 'H') &&
                   (len - i > 7 && (strncmp(text + i, "http://", 7) == 0 ||
                                    strncmp(text + i, "https:/", 7) == 0))) {
            o = put(out, o, cap, "<URL>");
            i += token_len(text + i, len - i);
        } else if (isdigit(c) || (c == '-' && i + 1 < len &&
                                  isdigit((unsigned char)text[i + 1]))) {
            o = put(out, o, cap, "<N>");
            for (i++; i < len && (isdigit((unsigned char)text[i]) ||
                                  text[i] == ',' || text[i] == '.' ||
                                  text[i] == ':' || text[i] == '/');
                 i++) {
            }
        } else if (c == '\'' || c == '"') {
            const char *end = memchr(text + i + 1, c, len - i - 1);
            if (end != NULL && end - (text + i) < 200) {
                o = put(out, o, cap, c == '\'' ? "'<S>'" : "\"<S>\"");
                i = (size_t)(end - text) + 1;
            } else {
                out[o++] = (char)c;
                i++;
            }
        } else if (!isspace(c) && (t = token_len(text + i, len - i)) > 0 &&
                   has_at(text + i, t)) {
            o = put(out, o, cap, "<ADDR>");
            i += t;
        } else if (isspace(c)) {
            /* Runs of blanks collapse: padding differs between outputs. */
            out[o++] = ' ';
            while (i < len && isspace((unsigned char)text[i])) {
                i++;
            }
        } else {
            out[o++] = (char)c;
            i++;
        }
    }
    out[o] = '\0';
}

int mt_unknown_add(struct mt_unknown *u, const char *text, size_t len,
                   const char *origin, uint64_t line)
{
    char tmpl[TEMPLATE_MAX];
    unsigned long long key;
    struct mt_cluster *c;
    size_t i;

    u->lines++;
    mt_unknown_mask(text, len, tmpl, sizeof(tmpl));
    key = mt_hash(tmpl, strlen(tmpl), MT_HASH_SEED);
    for (i = 0; i < u->n; i++) {
        if (u->clusters[i].key == key &&
            strcmp(u->clusters[i].template_text, tmpl) == 0) {
            u->clusters[i].count++;
            return 0;
        }
    }
    if (u->n >= u->max_clusters) {
        u->overflow++;
        return 0;
    }
    if (u->n == u->alloc) {
        size_t n = u->alloc ? u->alloc * 2 : 8;
        struct mt_cluster *grown = mt_realloc(u->clusters, n * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        u->clusters = grown;
        u->alloc = n;
    }
    c = &u->clusters[u->n];
    memset(c, 0, sizeof(*c));
    c->template_text = mt_strdup(tmpl);
    c->example = mt_strndup(text, len < EXAMPLE_MAX ? len : EXAMPLE_MAX);
    c->origin = mt_strdup(origin);
    c->line = line;
    c->count = 1;
    c->seq = u->n;
    c->key = key;
    if (c->template_text == NULL || c->example == NULL || c->origin == NULL) {
        mt_free(c->template_text);
        mt_free(c->example);
        mt_free(c->origin);
        return -1;
    }
    u->n++;
    return 0;
}

void mt_unknown_merge(struct mt_unknown *u, struct mt_unknown *src)
{
    size_t i, j;

    u->lines += src->lines;
    u->overflow += src->overflow;
    for (i = 0; i < src->n; i++) {
        struct mt_cluster *c = &src->clusters[i];
        for (j = 0; j < u->n; j++) {
            if (u->clusters[j].key == c->key &&
                strcmp(u->clusters[j].template_text, c->template_text) == 0) {
                break;
            }
        }
        if (j < u->n) {
            u->clusters[j].count += c->count;
            continue;
        }
        if (u->n >= u->max_clusters) {
            u->overflow += c->count;
            continue;
        }
        if (u->n == u->alloc) {
            size_t n = u->alloc ? u->alloc * 2 : 8;
            struct mt_cluster *grown = mt_realloc(u->clusters,
                                                  n * sizeof(*grown));
            if (grown == NULL) {
                /* As mt_unknown_add: a cluster without room is lost. */
                continue;
            }
            u->clusters = grown;
            u->alloc = n;
        }
        u->clusters[u->n] = *c;
        u->clusters[u->n].seq = u->n;
        u->n++;
        memset(c, 0, sizeof(*c));
    }
    mt_unknown_free(src);
}

static int compare_clusters(const void *a, const void *b)
{
    const struct mt_cluster *x = a, *y = b;

    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void mt_unknown_sort(struct mt_unknown *u)
{
    if (u->n > 1) {
        qsort(u->clusters, u->n, sizeof(*u->clusters), compare_clusters);
    }
}

void mt_unknown_free(struct mt_unknown *u)
{
    size_t i;

    for (i = 0; i < u->n; i++) {
        mt_free(u->clusters[i].template_text);
        mt_free(u->clusters[i].example);
        mt_free(u->clusters[i].origin);
    }
    mt_free(u->clusters);
    memset(u, 0, sizeof(*u));
}
