/* kb.c: loads and validates articles and error-code tables. */
#include "kb.h"

#include <ctype.h>
#include <string.h>

#include "datafile.h"
#include "util.h"

static const char *const file_keys[] = {"schema", "family", "articles",
                                        NULL};
static const char *const article_keys[] = {
    "id",   "title", "summary", "cause", "resolution", "commands",
    "verify", "risk", "refs",   "codes", "tags",       "lookup_only", NULL};
static const char *const table_keys[] = {"schema", "table", "codes", NULL};
static const char *const code_keys[] = {"code", "name", "meaning", "article",
                                        "generic", NULL};

static int valid_article_id(const char *id)
{
    const char *c;

    if (id == NULL || !islower((unsigned char)*id)) {
        return 0;
    }
    for (c = id; *c; c++) {
        if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) &&
            *c != '-') {
            return 0;
        }
    }
    return 1;
}

static int is_string_array(json_t *a, int min)
{
    size_t i;
    json_t *v;

    if (!json_is_array(a) || json_array_size(a) < (size_t)min) {
        return 0;
    }
    json_array_foreach(a, i, v) {
        if (!json_is_string(v) || json_string_length(v) == 0) {
            return 0;
        }
    }
    return 1;
}

/* Checks one article's shape; returns the number of problems. */
static int check_article(json_t *a, const char *file, const char *id,
                         struct mt_problems *probs)
{
    static const char *const text_keys[] = {"title", "summary", "cause"};
    static const char *const opt_lists[] = {"commands", "verify", "codes",
                                            "tags"};
    int bad = mt_datafile_check_keys(a, article_keys, file, id, probs);
    size_t i;

    if (!valid_article_id(id)) {
        mt_problems_add(probs, "%s: %s: id must be lowercase [a-z0-9-]",
                        file, id);
        bad++;
    }
    for (i = 0; i < 3; i++) {
        const char *t = mt_json_str(a, text_keys[i]);
        if (t == NULL || *t == '\0') {
            mt_problems_add(probs, "%s: %s: %s missing or empty", file, id,
                            text_keys[i]);
            bad++;
        }
    }
    if (!is_string_array(json_object_get(a, "resolution"), 1)) {
        mt_problems_add(probs,
                        "%s: %s: resolution must be a non-empty list of steps",
                        file, id);
        bad++;
    }
    if (!is_string_array(json_object_get(a, "refs"), 1)) {
        mt_problems_add(probs, "%s: %s: refs must list at least one source",
                        file, id);
        bad++;
    }
    for (i = 0; i < 4; i++) {
        json_t *v = json_object_get(a, opt_lists[i]);
        if (v != NULL && !is_string_array(v, 0)) {
            mt_problems_add(probs, "%s: %s: %s must be a list of strings",
                            file, id, opt_lists[i]);
            bad++;
        }
    }
    if (json_object_get(a, "risk") != NULL &&
        mt_json_str(a, "risk") == NULL) {
        mt_problems_add(probs, "%s: %s: risk must be a string", file, id);
        bad++;
    }
    return bad;
}

static int add_article(struct mt_kb *kb, json_t *a, const char *file,
                       const char *family)
{
    struct mt_article *art;

    if (kb->n == kb->alloc) {
        size_t n = kb->alloc ? kb->alloc * 2 : 64;
        struct mt_article *grown = mt_realloc(kb->articles,
                                              n * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        kb->articles = grown;
        kb->alloc = n;
    }
    art = &kb->articles[kb->n];
    memset(art, 0, sizeof(*art));
    art->json = json_incref(a);
    art->id = mt_json_str(a, "id");
    art->title = mt_json_str(a, "title");
    art->family = mt_strdup(family);
    art->lookup_only = json_is_true(json_object_get(a, "lookup_only"));
    art->file = mt_strdup(file);
    /* The index borrows the id from the article's JSON, which it keeps. */
    if (art->family == NULL || art->file == NULL ||
        mt_strindex_put(&kb->ids, art->id, kb->n, NULL) < 0) {
        mt_free(art->family);
        mt_free(art->file);
        json_decref(art->json);
        return -1;
    }
    kb->n++;
    return 0;
}

/* The family a file's articles belong to: its "family" key, else the
 * file name without ".json" (kb/mrs.json -> mrs). */
static char *family_of(json_t *root, const char *path)
{
    const char *f = mt_json_str(root, "family");
    const char *base = strrchr(path, '/');
    size_t n;

    if (f != NULL && *f) {
        return mt_strdup(f);
    }
    base = base ? base + 1 : path;
    n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0) {
        n -= 5;
    }
    return mt_strndup(base, n);
}

static void load_articles(struct mt_kb *kb, const char *path,
                          struct mt_problems *probs)
{
    json_t *root = mt_datafile_load(path, probs), *arts, *a;
    char *family;
    size_t i;

    if (root == NULL) {
        return;
    }
    mt_datafile_check_keys(root, file_keys, path, "file", probs);
    if (json_integer_value(json_object_get(root, "schema")) != 1 ||
        !json_is_array(arts = json_object_get(root, "articles"))) {
        mt_problems_add(probs, "%s: needs \"schema\": 1 and an articles list",
                        path);
        json_decref(root);
        return;
    }
    family = family_of(root, path);
    json_array_foreach(arts, i, a) {
        const char *id = json_is_object(a) ? mt_json_str(a, "id") : NULL;

        if (id == NULL) {
            mt_problems_add(probs, "%s: article %zu has no id", path, i);
            continue;
        }
        if (check_article(a, path, id, probs) != 0) {
            continue;
        }
        if (mt_kb_find(kb, id) >= 0) {
            mt_problems_add(probs, "%s: %s: duplicate article id", path, id);
            continue;
        }
        add_article(kb, a, path, family ? family : "");
    }
    mt_free(family);
    json_decref(root);
}

static void load_codes(struct mt_kb *kb, const char *path,
                       struct mt_problems *probs)
{
    json_t *root = mt_datafile_load(path, probs), *codes, *c;
    struct mt_code_table *grown, *t;
    struct mt_strindex seen; /* codes of this table so far */
    size_t i;

    if (root == NULL) {
        return;
    }
    mt_datafile_check_keys(root, table_keys, path, "table", probs);
    codes = json_object_get(root, "codes");
    if (json_integer_value(json_object_get(root, "schema")) != 1 ||
        mt_json_str(root, "table") == NULL || !json_is_array(codes)) {
        mt_problems_add(probs, "%s: needs \"schema\": 1, a table name and a "
                               "codes list",
                        path);
        json_decref(root);
        return;
    }
    mt_strindex_init(&seen);
    json_array_foreach(codes, i, c) {
        const char *code = json_is_object(c) ? mt_json_str(c, "code") : NULL;
        if (code == NULL || mt_json_str(c, "name") == NULL ||
            mt_json_str(c, "meaning") == NULL) {
            mt_problems_add(probs, "%s: code entry %zu needs code, name and "
                                   "meaning",
                            path, i);
            continue;
        }
        mt_datafile_check_keys(c, code_keys, path, code, probs);
        if (mt_strindex_put(&seen, code, i, NULL) == 0) {
            mt_problems_add(probs, "%s: %s: duplicate code", path, code);
        }
    }
    mt_strindex_free(&seen);
    grown = mt_realloc(kb->tables, (kb->ntables + 1) * sizeof(*grown));
    if (grown != NULL) {
        kb->tables = grown;
        t = &kb->tables[kb->ntables++];
        t->name = mt_strdup(mt_json_str(root, "table"));
        t->file = mt_strdup(path);
        t->codes = json_incref(codes);
        kb->ncodes += json_array_size(codes);
    }
    json_decref(root);
}

static int load_dir(struct mt_kb *kb, const char *dir,
                    struct mt_problems *probs,
                    void (*load)(struct mt_kb *, const char *,
                                 struct mt_problems *))
{
    char **names;
    int n = mt_datafile_list(dir, &names), i;

    if (n < 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        char *path = mt_asprintf("%s/%s", dir, names[i]);
        if (path != NULL) {
            load(kb, path, probs);
            mt_free(path);
        }
    }
    mt_datafile_list_free(names, n);
    return 0;
}

int mt_kb_load(struct mt_kb *kb, const char *dir, struct mt_problems *probs)
{
    char *codes_dir;

    if (load_dir(kb, dir, probs, load_articles) < 0) {
        mt_problems_add(probs, "%s: cannot read the kb directory", dir);
        return -1;
    }
    codes_dir = mt_asprintf("%s/codes", dir);
    if (codes_dir != NULL) {
        load_dir(kb, codes_dir, probs, load_codes); /* optional */
        mt_free(codes_dir);
    }
    return 0;
}

void mt_kb_free(struct mt_kb *kb)
{
    size_t i;

    for (i = 0; i < kb->n; i++) {
        json_decref(kb->articles[i].json);
        mt_free(kb->articles[i].file);
        mt_free(kb->articles[i].family);
    }
    for (i = 0; i < kb->ntables; i++) {
        mt_free(kb->tables[i].name);
        mt_free(kb->tables[i].file);
        json_decref(kb->tables[i].codes);
    }
    mt_free(kb->articles);
    mt_free(kb->tables);
    mt_strindex_free(&kb->ids);
    memset(kb, 0, sizeof(*kb));
}

int mt_kb_find(const struct mt_kb *kb, const char *id)
{
    return (int)mt_strindex_get(&kb->ids, id);
}
