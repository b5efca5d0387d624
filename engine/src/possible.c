/* possible.c: possible matches, counted per article. */
#include "possible.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Longest line kept as a possible match's example. */
#define MAX_POSSIBLE_MESSAGE 400

static struct mt_possible *find(struct mt_possibles *l, int article)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (l->items[i].article == article) {
            return &l->items[i];
        }
    }
    return NULL;
}

static struct mt_possible *append(struct mt_possibles *l)
{
    if (l->n == l->alloc) {
        size_t n = l->alloc ? l->alloc * 2 : 8;
        struct mt_possible *grown = mt_realloc(l->items, n * sizeof(*grown));
        if (grown == NULL) {
            return NULL;
        }
        l->items = grown;
        l->alloc = n;
    }
    memset(&l->items[l->n], 0, sizeof(l->items[0]));
    return &l->items[l->n++];
}

int mt_possibles_add(struct mt_possibles *l, int article, double score,
                     const char *origin, uint64_t line, const char *text,
                     size_t len)
{
    struct mt_possible *p = find(l, article);

    l->lines++;
    if (p != NULL) {
        p->count++;
        if (score > p->best_score) {
            p->best_score = score;
        }
        return 0;
    }
    p = append(l);
    if (p == NULL) {
        return -1;
    }
    if (len > MAX_POSSIBLE_MESSAGE) {
        len = MAX_POSSIBLE_MESSAGE;
        while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80) {
            len--;
        }
    }
    p->article = article;
    p->score = p->best_score = score;
    p->origin = mt_strdup(origin);
    p->line = line;
    p->message = mt_strndup(text, len);
    p->count = 1;
    if (p->origin == NULL || p->message == NULL) {
        mt_free(p->origin);
        mt_free(p->message);
        l->n--;
        return -1;
    }
    return 0;
}

int mt_possibles_merge(struct mt_possibles *l, struct mt_possibles *src)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < src->n; i++) {
        struct mt_possible *s = &src->items[i];
        struct mt_possible *p = find(l, s->article);
        if (p != NULL) {
            p->count += s->count;
            if (s->best_score > p->best_score) {
                p->best_score = s->best_score;
            }
            mt_free(s->origin);
            mt_free(s->message);
            continue;
        }
        p = append(l);
        if (p == NULL) {
            mt_free(s->origin);
            mt_free(s->message);
            rc = -1;
            continue;
        }
        *p = *s;
    }
    l->lines += src->lines;
    mt_free(src->items);
    memset(src, 0, sizeof(*src));
    return rc;
}

void mt_possibles_drop_found(struct mt_possibles *l,
                             const unsigned char *found)
{
    size_t i, kept = 0;

    for (i = 0; i < l->n; i++) {
        struct mt_possible *p = &l->items[i];
        if (found[p->article]) {
            l->lines -= p->count;
            mt_free(p->origin);
            mt_free(p->message);
            continue;
        }
        l->items[kept++] = *p;
    }
    l->n = kept;
}

static const struct mt_possibles *sorting;

static int compare(const void *x, const void *y)
{
    const struct mt_possible *a = &sorting->items[*(const size_t *)x];
    const struct mt_possible *b = &sorting->items[*(const size_t *)y];

    if (a->count != b->count) {
        return a->count > b->count ? -1 : 1;
    }
    if (a->best_score != b->best_score) {
        return a->best_score > b->best_score ? -1 : 1;
    }
    return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

size_t *mt_possibles_sorted(const struct mt_possibles *l)
{
    size_t *order = mt_calloc(l->n + 1, sizeof(*order)), i;

    if (order == NULL) {
        return NULL;
    }
    for (i = 0; i < l->n; i++) {
        order[i] = i;
    }
    sorting = l;
    qsort(order, l->n, sizeof(*order), compare);
    sorting = NULL;
    return order;
}

void mt_possibles_free(struct mt_possibles *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        mt_free(l->items[i].origin);
        mt_free(l->items[i].message);
    }
    mt_free(l->items);
    memset(l, 0, sizeof(*l));
}
