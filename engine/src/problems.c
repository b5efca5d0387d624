/* problems.c: collects problem lines from loading and linting. */
#include "problems.h"

#include <stdarg.h>
#include <stdio.h>

#include "util.h"

void mt_problems_add(struct mt_problems *p, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    char **grown;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (p->n == p->alloc) {
        size_t n = p->alloc ? p->alloc * 2 : 16;
        grown = mt_realloc(p->lines, n * sizeof(*grown));
        if (grown == NULL) {
            return;
        }
        p->lines = grown;
        p->alloc = n;
    }
    p->lines[p->n] = mt_strdup(line);
    if (p->lines[p->n] != NULL) {
        p->n++;
    }
}

void mt_problems_free(struct mt_problems *p)
{
    size_t i;

    for (i = 0; i < p->n; i++) {
        mt_free(p->lines[i]);
    }
    mt_free(p->lines);
    p->lines = NULL;
    p->n = p->alloc = 0;
}
