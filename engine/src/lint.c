/* lint.c: `migtriage kb lint`: checks that the knowledge is sound before
 * anyone relies on it: every sample matches (with its fields), no
 * near-miss matches, literals are really required, articles exist and are
 * complete, and every command placeholder can be filled. */
#include <ctype.h>
#include <string.h>

#include "datafile.h"
#include "engine_private.h"
#include "util.h"

/* Context names any article may use (patterns/README.md). */
static const char *const context_names[] = {
    "mailbox", "display_name", "batch", "server", "timestamp",
    "request_type", "domain", "url", NULL};

/* Command words whose use loses data or weakens a check: an article that
 * suggests them must say what is at stake in "risk". */
static const char *const risky_words[] = {
    "-AcceptLargeDataLoss", "-BadItemLimit", "-LargeItemLimit",
    "-SkipMoving", "-ForceOffline", "-SkipInitialConnectionValidation",
    "Remove-", NULL};

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;

    if (n == 0) {
        return 1;
    }
    for (; *hay; hay++) {
        for (i = 0; i < n && hay[i]; i++) {
            if (tolower((unsigned char)hay[i]) !=
                tolower((unsigned char)needle[i])) {
                break;
            }
        }
        if (i == n) {
            return 1;
        }
    }
    return 0;
}

static const char *capture_value(const struct mt_hit *hit, const char *name,
                                 size_t *len)
{
    int i;

    for (i = 0; i < hit->ncaps; i++) {
        if (strcmp(hit->caps[i].name, name) == 0) {
            *len = hit->caps[i].len;
            return hit->caps[i].value;
        }
    }
    return NULL;
}

/* The prefilter only runs a regex on records holding its literal, so a
 * pattern that also accepts a spelling without the literal silently misses
 * it. Samples are real text, but the variants a pattern tolerates (a
 * typographic apostrophe for an ASCII one, a space that `\s?` or `\s*`
 * may drop) are often not among them: make each such variant of a sample
 * and check that, where the pattern accepts it, the literal is still in it.
 * Returns 1 when a variant slips past the literal (reported once). */
static int lint_variant(struct mt_engine *e, int idx, const char *variant,
                        const char *how, struct mt_problems *p)
{
    const struct mt_signature *s = &e->patterns.sigs[idx];
    struct mt_hit hit;

    if (contains_nocase(variant, s->literal) ||
        mt_matcher_test(e->matcher, idx, variant, strlen(variant), &hit) !=
            1) {
        return 0;
    }
    mt_problems_add(p,
                    "%s: %s: the pattern accepts a sample %s, but the "
                    "literal \"%s\" is not in it, so the prefilter would "
                    "hide such lines: %.80s",
                    s->file, s->id, how, s->literal, variant);
    return 1;
}

/* Variants tried per sample: enough for any real message. */
#define MAX_VARIANTS 128

/* text with its bytes [at, at + cut) replaced by `put`, in v (of room
 * for the result). */
static void splice(char *v, const char *text, size_t at, size_t cut,
                   const char *put)
{
    size_t pl = strlen(put);

    memcpy(v, text, at);
    memcpy(v + at, put, pl);
    strcpy(v + at + pl, text + at + cut);
}

/* Each variant changes one place: an apostrophe swapped for the other
 * kind, or a space left out. One place at a time, because a whole-text
 * swap also turns the quotes around a value, which the pattern rightly
 * refuses, and would hide the apostrophe the literal sits on. */
static void lint_variants(struct mt_engine *e, int idx, const char *text,
                          struct mt_problems *p)
{
    static const char typo_apos[] = "\xe2\x80\x99"; /* U+2019 */
    const struct mt_signature *s = &e->patterns.sigs[idx];
    size_t n = strlen(text), i, tried = 0;
    char *v;
    int bad = 0;

    if (s->literal == NULL) {
        return;
    }
    v = mt_malloc(n + 3);
    if (v == NULL) {
        return;
    }
    for (i = 0; i < n && !bad && tried < MAX_VARIANTS; i++) {
        if (text[i] == '\'') {
            splice(v, text, i, 1, typo_apos);
            bad = lint_variant(e, idx, v, "with \u2019 for '", p);
        } else if (strncmp(text + i, typo_apos, 3) == 0) {
            splice(v, text, i, 3, "'");
            bad = lint_variant(e, idx, v, "with ' for \u2019", p);
        } else if (text[i] == ' ') {
            splice(v, text, i, 1, "");
            bad = lint_variant(e, idx, v, "without one of its spaces", p);
        } else {
            continue;
        }
        tried++;
    }
    mt_free(v);
}

/* Checks one sample (a string, or {"text", "fields"}). */
static void lint_sample(struct mt_engine *e, int idx, json_t *sample,
                        struct mt_problems *p)
{
    const struct mt_signature *s = &e->patterns.sigs[idx];
    const char *text = json_is_string(sample) ? json_string_value(sample)
                                              : mt_json_str(sample, "text");
    json_t *fields = json_object_get(sample, "fields");
    struct mt_hit hit;
    const char *key;
    json_t *want;
    int rc;

    if (text == NULL) {
        mt_problems_add(p, "%s: %s: a sample has no text", s->file, s->id);
        return;
    }
    if (json_is_object(sample)) {
        static const char *const keys[] = {"text", "fields", NULL};
        mt_datafile_check_keys(sample, keys, s->file, s->id, p);
    }
    rc = mt_matcher_test(e->matcher, idx, text, strlen(text), &hit);
    if (rc != 1) {
        mt_problems_add(p, "%s: %s: sample does not match%s: %.120s",
                        s->file, s->id, rc < 0 ? " (match budget)" : "",
                        text);
        return;
    }
    if (s->literal != NULL && !contains_nocase(text, s->literal)) {
        mt_problems_add(p,
                        "%s: %s: literal \"%s\" is not in a sample it "
                        "matches, so the prefilter would hide it: %.80s",
                        s->file, s->id, s->literal, text);
    } else {
        lint_variants(e, idx, text, p);
    }
    json_object_foreach(fields, key, want) {
        size_t len = 0;
        const char *got = capture_value(&hit, key, &len);
        const char *w = json_string_value(want);
        if (w == NULL) {
            mt_problems_add(p, "%s: %s: expected field %s is not a string",
                            s->file, s->id, key);
        } else if (got == NULL) {
            mt_problems_add(p, "%s: %s: sample yields no field %s", s->file,
                            s->id, key);
        } else if (strlen(w) != len || memcmp(w, got, len) != 0) {
            mt_problems_add(p, "%s: %s: field %s is \"%.*s\", expected \"%s\"",
                            s->file, s->id, key, (int)len, got, w);
        }
    }
}

static void lint_signature(struct mt_engine *e, int idx,
                           struct mt_problems *p)
{
    const struct mt_signature *s = &e->patterns.sigs[idx];
    struct mt_hit hit;
    json_t *v;
    size_t i;

    if (s->code == NULL) {
        return; /* already reported at load */
    }
    if (s->literal == NULL || strlen(s->literal) < 4) {
        mt_problems_add(p,
                        "%s: %s: needs a literal of at least 4 characters "
                        "that every match contains",
                        s->file, s->id);
    }
    if (!json_is_array(s->samples) || json_array_size(s->samples) == 0) {
        mt_problems_add(p, "%s: %s: no samples", s->file, s->id);
    }
    if (!json_is_array(s->non_samples) ||
        json_array_size(s->non_samples) == 0) {
        mt_problems_add(p, "%s: %s: no non_samples", s->file, s->id);
    }
    json_array_foreach(s->samples, i, v) {
        lint_sample(e, idx, v, p);
    }
    json_array_foreach(s->non_samples, i, v) {
        const char *text = json_string_value(v);
        if (text == NULL) {
            mt_problems_add(p, "%s: %s: a non_sample is not a string",
                            s->file, s->id);
        } else if (mt_matcher_test(e->matcher, idx, text, strlen(text),
                                   &hit) != 0) {
            mt_problems_add(p, "%s: %s: non_sample matches: %.120s", s->file,
                            s->id, text);
        }
    }
}

/* Is name a context name, or a capture of a context signature, or a
 * capture of a signature pointing at article a? */
static int placeholder_known(const struct mt_engine *e, int a,
                             const char *name)
{
    size_t i;
    int g;

    for (i = 0; context_names[i]; i++) {
        if (strcmp(context_names[i], name) == 0) {
            return 1;
        }
    }
    for (i = 0; i < e->patterns.n; i++) {
        const struct mt_signature *s = &e->patterns.sigs[i];
        if (s->kind == MT_SIG_FINDING && s->article_index != a) {
            continue;
        }
        for (g = 0; g < s->ngroups; g++) {
            if (strcmp(s->groups[g].name, name) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

static void lint_templates(const struct mt_engine *e, int a, const char *key,
                           const struct mt_strlist *list,
                           struct mt_problems *p)
{
    const struct mt_article *art = &e->kb.articles[a];
    size_t i;

    for (i = 0; i < list->n; i++) {
        const char *open = list->v[i];
        while ((open = strchr(open, '{')) != NULL) {
            const char *close = strchr(open, '}');
            char name[64];
            size_t n;
            if (close == NULL) {
                break;
            }
            n = (size_t)(close - open - 1);
            if (n > 0 && n < sizeof(name)) {
                size_t k;
                int word = 1;
                memcpy(name, open + 1, n);
                name[n] = '\0';
                for (k = 0; k < n; k++) {
                    word &= islower((unsigned char)name[k]) ||
                            isdigit((unsigned char)name[k]) || name[k] == '_';
                }
                /* {0} or {$_.Name} are PowerShell, not placeholders. */
                if (word && !placeholder_known(e, a, name)) {
                    mt_problems_add(p,
                                    "%s: %s: %s placeholder {%s} is neither "
                                    "a field of its signatures nor a context "
                                    "name",
                                    art->file, art->id, key, name);
                }
            }
            open = close;
        }
    }
}

static void lint_article(const struct mt_engine *e, int a,
                         struct mt_problems *p)
{
    const struct mt_article *art = &e->kb.articles[a];
    int used = 0;
    size_t i, k;

    for (i = 0; i < e->patterns.n; i++) {
        used |= e->patterns.sigs[i].article_index == a;
    }
    if (!used && !art->lookup_only) {
        mt_problems_add(p,
                        "%s: %s: no signature points here (mark it "
                        "\"lookup_only\": true if that is intended)",
                        art->file, art->id);
    }
    lint_templates(e, a, "commands", &art->commands, p);
    lint_templates(e, a, "verify", &art->verify, p);
    for (i = 0; i < art->commands.n; i++) {
        for (k = 0; risky_words[k]; k++) {
            if (strstr(art->commands.v[i], risky_words[k]) != NULL &&
                art->risk == NULL) {
                mt_problems_add(p,
                                "%s: %s: a command uses %s but the article "
                                "has no \"risk\" saying what is at stake",
                                art->file, art->id, risky_words[k]);
            }
        }
    }
}

/* Cost classes of the prefilter: a signature whose literal is long and
 * specific rarely sends a record to PCRE2; a short one more often; one
 * without a literal runs its regex on every record, which is what makes a
 * signature set slow. */
enum cost {
    COST_LOW = 0,    /* literal of 8 or more characters */
    COST_MEDIUM = 1, /* literal of 4 to 7 characters */
    COST_HIGH = 2    /* no usable literal */
};

static enum cost cost_of(const struct mt_signature *s)
{
    size_t n = s->literal != NULL ? strlen(s->literal) : 0;

    return n >= 8 ? COST_LOW : n >= 4 ? COST_MEDIUM : COST_HIGH;
}

static int reached_by_name(const struct mt_engine *e, size_t article)
{
    size_t i;

    for (i = 0; i < e->names.n; i++) {
        if (e->names.v[i].article_index == (int)article) {
            return 1;
        }
    }
    return 0;
}

/* An article listed as having no stable name must exist and must really
 * have none: once a name reaches it, the listing is stale. */
static void lint_no_name(const struct mt_engine *e, struct mt_problems *p)
{
    size_t i;

    for (i = 0; i < e->names.nno_name; i++) {
        const struct mt_no_name *x = &e->names.no_name[i];
        int k = mt_kb_find(&e->kb, x->article);
        if (k < 0) {
            mt_problems_add(p, "%s: no_name: article \"%s\" does not exist",
                            x->file, x->article);
        } else if (reached_by_name(e, (size_t)k)) {
            mt_problems_add(p, "%s: no_name: %s is reachable by name; "
                               "take it off the list",
                            x->file, x->article);
        }
        if (strpbrk(x->reason, "\r\n") != NULL) {
            mt_problems_add(p, "%s: no_name: %s: reason must be one line",
                            x->file, x->article);
        }
    }
}

/* The stable-name table: a meaning is one line; how many articles a
 * name reaches, how many are listed as having no stable name, and the
 * rest (listed as a to-do, not as problems). */
static void lint_names(const struct mt_engine *e, struct mt_problems *p,
                       FILE *out)
{
    size_t i, k, reached = 0, nulls = 0, exempt = 0, missing = 0;

    for (i = 0; i < e->names.n; i++) {
        const struct mt_name *x = &e->names.v[i];
        nulls += x->article == NULL;
        if (strpbrk(x->meaning, "\r\n") != NULL) {
            mt_problems_add(p, "%s: %s: meaning must be one line", x->file,
                            x->name);
        }
    }
    lint_no_name(e, p);
    for (k = 0; k < e->kb.n; k++) {
        if (reached_by_name(e, k)) {
            reached++;
        } else if (mt_names_no_name(&e->names, e->kb.articles[k].id)) {
            exempt++;
        }
    }
    fprintf(out,
            "kb lint: names: %zu in %zu tables (%zu without an article), "
            "%zu of %zu articles reachable by name, %zu without a stable "
            "name (no_name), %zu missing\n",
            e->names.n, e->names.files, nulls, reached, e->kb.n, exempt,
            e->kb.n - reached - exempt);
    for (k = 0; k < e->kb.n; k++) {
        if (!reached_by_name(e, k) &&
            !mt_names_no_name(&e->names, e->kb.articles[k].id)) {
            fprintf(out, "%s%s", missing++ ? ", " : "kb lint: no name yet: ",
                    e->kb.articles[k].id);
        }
    }
    if (missing > 0) {
        fputc('\n', out);
    }
    fprintf(out, "kb lint: nearest-article index: %zu words\n",
            mt_similar_terms(mt_engine_similar(e)));
}

int mt_engine_lint(struct mt_engine *e, FILE *out)
{
    struct mt_problems p = {0};
    size_t i, costs[3] = {0, 0, 0};
    int n, findings = 0, contexts = 0;

    if (!e->loaded) {
        fprintf(out, "kb lint: nothing loaded\n");
        return 1;
    }
    mt_knowledge_codes(e, 1); /* their problems are listed below */
    for (i = 0; i < e->load_problems.n; i++) {
        mt_problems_add(&p, "%s", e->load_problems.lines[i]);
    }
    for (i = 0; i < e->patterns.n; i++) {
        lint_signature(e, (int)i, &p);
        costs[cost_of(&e->patterns.sigs[i])]++;
        if (e->patterns.sigs[i].kind == MT_SIG_CONTEXT) {
            contexts++;
        } else {
            findings++;
        }
    }
    for (i = 0; i < e->kb.n; i++) {
        lint_article(e, (int)i, &p);
    }
    lint_names(e, &p, out);
    for (i = 0; i < p.n; i++) {
        /* Problems quote file names and file content. */
        mt_put_clean(out, p.lines[i], (size_t)-1);
        fputc('\n', out);
    }
    fprintf(out,
            "kb lint: %d signatures (%d context) in %zu files, %zu articles, "
            "%zu codes in %zu tables: %zu problem%s\n",
            findings + contexts, contexts, e->patterns.files, e->kb.n,
            e->kb.ncodes, e->kb.ntables, p.n, p.n == 1 ? "" : "s");
    fprintf(out,
            "kb lint: prefilter cost: %zu low (literal of 8+ characters), "
            "%zu medium (4-7), %zu high (no literal: regex on every "
            "record)\n",
            costs[COST_LOW], costs[COST_MEDIUM], costs[COST_HIGH]);
    n = (int)p.n;
    mt_problems_free(&p);
    return n;
}
