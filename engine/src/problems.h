/* problems.h: a list of problems found while loading or checking the
 * knowledge (one line each, "file: id: what is wrong"). */
#ifndef MT_PROBLEMS_H
#define MT_PROBLEMS_H

#include <stddef.h>

struct mt_problems {
    char **lines;
    size_t n;
    size_t alloc;
};

void mt_problems_add(struct mt_problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mt_problems_free(struct mt_problems *p);

#endif
