/* kb.h: articles (kb/<family>.json, typed in article.h) and error-code
 * tables (kb/codes/). */
#ifndef MT_KB_H
#define MT_KB_H

#include <jansson.h>
#include <stddef.h>

#include "article.h"
#include "problems.h"
#include "strindex.h"

struct mt_code_table {
    char *name;
    char *file;
    json_t *codes; /* array, owned */
};

struct mt_kb {
    struct mt_article *articles;
    size_t n;
    size_t alloc;
    struct mt_code_table *tables;
    size_t ntables;
    size_t ncodes;
    struct mt_strindex ids; /* article id -> index into articles */
    /* The codes/ folder of each knowledge folder loaded, in load order,
     * read by mt_kb_load_codes: only lookups need the tables, and a scan
     * (a paste) makes none. */
    char **code_dirs;
    size_t ncode_dirs;
    int codes_loaded;
};

/* Loads kb/<family>.json, and notes kb/codes/ for mt_kb_load_codes;
 * problems are added to probs and the offending entries skipped. Returns
 * -1 when dir cannot be read. */
int mt_kb_load(struct mt_kb *kb, const char *dir, struct mt_problems *probs);
/* Loads the code tables (kb/codes/<table>.json) of every folder
 * mt_kb_load was given, the first time it is called; problems as for
 * mt_kb_load. Not thread-safe: the engine calls it under a lock. */
void mt_kb_load_codes(struct mt_kb *kb, struct mt_problems *probs);
void mt_kb_free(struct mt_kb *kb);
int mt_kb_find(const struct mt_kb *kb, const char *id);

#endif
