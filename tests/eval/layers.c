/* layers.c: how far the generalising layers (stable names, the
 * nearest-article fallback) reach beyond the exact signatures.
 *
 *   mt_eval_layers reworded ROOT [MIN_REACH]
 *       Rewords every sample of every finding signature the way real
 *       pastes differ from the documented text (no "The", no quotes,
 *       contractions and tenses swapped, other values, hard-wrapped
 *       lines), runs the whole engine on each, and counts how often the
 *       sample's own article is found for sure, only as a possible match,
 *       wrongly, or not at all. Exits 1 when sure + possible falls below
 *       MIN_REACH (a fraction), so ctest can hold the line.
 *   mt_eval_layers rank ROOT < LINES
 *       The nearest two articles of each line, with their scores.
 *   mt_eval_layers sweep ROOT DEVDIR
 *       For the labelled texts of DEVDIR ('# expect:' headers) and the
 *       reworded samples, prints the nearest-article layer's reach and
 *       precision over a grid of stable-token weights, thresholds and
 *       margins (the numbers behind similar.h's constants).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_private.h"
#include "similar.h"

#define MAX_TEXT 65536

/* ---- rewording ---------------------------------------------------- */

struct buf {
    char s[MAX_TEXT];
    size_t n;
};

static void put(struct buf *b, const char *s, size_t n)
{
    /* b->n < sizeof(b->s) always; the text is cut at the buffer's end.
     * Written as "room" so that GCC -O3 can see the bound (the earlier
     * form tripped -Wstringop-overflow in Release builds). */
    size_t room = b->n < sizeof(b->s) ? sizeof(b->s) - 1 - b->n : 0;

    if (n > room) {
        n = room;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static int alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* Swaps applied once, left to right, whole words only. */
static const char *const swaps[][2] = {
    {"doesn't", "does not"}, {"does not", "doesn't"},
    {"isn't", "is not"},     {"is not", "isn't"},
    {"couldn't", "could not"}, {"can't", "cannot"},
    {"wasn't", "was not"},   {"wasn’t", "was not"},
    {"doesn’t", "does not"}, {"isn’t", "is not"},
    {"couldn’t", "could not"}, {"failed to", "could not"},
    {"was not", "is not"},   {"has been", "was"},
    {"contoso", "northwind"}, {"fabrikam", "adatum"},
};

static int starts_word(const char *t, size_t i, const char *w)
{
    size_t n = strlen(w);

    return (i == 0 || !alnum(t[i - 1])) && strncasecmp(t + i, w, n) == 0 &&
           !alnum(t[i + n]);
}

/* Another wording of text: see the header. wrap > 0 breaks lines at the
 * last space before that column. */
static void reword(const char *t, struct buf *out, int wrap)
{
    struct buf b;
    size_t i, col = 0, k;

    b.n = 0;
    b.s[0] = '\0';
    for (i = 0; t[i];) {
        int done = 0;
        if (starts_word(t, i, "the") && t[i + 3] == ' ') {
            i += 4; /* drop "The " */
            continue;
        }
        for (k = 0; k < sizeof(swaps) / sizeof(swaps[0]); k++) {
            if (starts_word(t, i, swaps[k][0])) {
                put(&b, swaps[k][1], strlen(swaps[k][1]));
                i += strlen(swaps[k][0]);
                done = 1;
                break;
            }
        }
        if (done) {
            continue;
        }
        /* quotes around values go; an apostrophe inside a word stays */
        if (t[i] == '"' ||
            (t[i] == '\'' && !(i > 0 && alnum(t[i - 1]) && alnum(t[i + 1])))) {
            i++;
            continue;
        }
        if (strncmp(t + i, "\xe2\x80\x98", 3) == 0 ||
            strncmp(t + i, "\xe2\x80\x9c", 3) == 0 ||
            strncmp(t + i, "\xe2\x80\x9d", 3) == 0) {
            i += 3;
            continue;
        }
        /* other values: a number standing alone (not a code such as
         * 0x8004010F, HCW8001, ec=-2147221233) */
        if (t[i] >= '0' && t[i] <= '9' &&
            (i == 0 || !(alnum(t[i - 1]) || t[i - 1] == '=' ||
                         t[i - 1] == '-'))) {
            while (t[i] >= '0' && t[i] <= '9') {
                char c = (char)('0' + ((t[i] - '0') * 7 + 3) % 10);
                put(&b, &c, 1);
                i++;
            }
            continue;
        }
        put(&b, t + i, 1);
        i++;
    }
    out->n = 0;
    out->s[0] = '\0';
    for (i = 0; i < b.n; i++) {
        if (wrap > 0 && b.s[i] == ' ' && col >= (size_t)wrap - 10) {
            put(out, "\n", 1);
            col = 0;
            continue;
        }
        col = b.s[i] == '\n' ? 0 : col + 1;
        put(out, b.s + i, 1);
    }
}

/* ---- running the engine ------------------------------------------- */

struct seen {
    const struct mt_engine *e;
    int want;
    int sure_right, sure_other;
};

static void on_finding(void *ctx, const struct mt_finding_info *f)
{
    struct seen *s = ctx;
    int a = f->article ? mt_kb_find(&s->e->kb, f->article) : -1;

    if (a == s->want) {
        s->sure_right = 1;
    } else {
        s->sure_other = 1;
    }
}

enum verdict { SURE, POSSIBLE, WRONG, MISSED, NVERDICT };
static const char *const verdict_names[] = {"sure", "possible", "wrong",
                                            "missed"};

/* Runs text through e; the verdict for article want. */
static enum verdict judge(struct mt_engine *e, const char *text, int want)
{
    struct seen s;
    size_t before = e->res.possible.n, i;
    uint64_t *counts = calloc(before + 1, sizeof(*counts));
    int poss_right = 0, poss_other = 0;

    memset(&s, 0, sizeof(s));
    s.e = e;
    s.want = want;
    for (i = 0; i < before; i++) {
        counts[i] = e->res.possible.items[i].count;
    }
    mt_engine_set_finding_cb(e, on_finding, &s);
    mt_engine_scan_memory(e, "reworded", text, strlen(text));
    for (i = 0; i < e->res.possible.n; i++) {
        const struct mt_possible *p = &e->res.possible.items[i];
        if (i < before && p->count == counts[i]) {
            continue;
        }
        if (p->article == want) {
            poss_right = 1;
        } else {
            poss_other = 1;
        }
    }
    free(counts);
    if (s.sure_right) {
        return SURE;
    }
    if (poss_right) {
        return POSSIBLE;
    }
    return s.sure_other || poss_other ? WRONG : MISSED;
}

static struct mt_engine *load(const char *root)
{
    struct mt_engine *e = mt_engine_new();
    char pat[4096], kb[4096];

    snprintf(pat, sizeof(pat), "%s/patterns", root);
    snprintf(kb, sizeof(kb), "%s/kb", root);
    if (e == NULL || mt_engine_load(e, pat, kb) != MT_OK) {
        fprintf(stderr, "mt_eval_layers: cannot load the knowledge in %s\n",
                root);
        exit(2);
    }
    return e;
}

static const char *sample_text(json_t *v)
{
    return json_is_string(v) ? json_string_value(v)
                             : json_string_value(json_object_get(v, "text"));
}

/* Calls fn for every (reworded sample, article) of e's finding
 * signatures; wrap as in reword(). */
typedef void (*sample_fn)(void *ctx, const char *text, int article);
static void each_reworded(const struct mt_engine *e, int wrap, sample_fn fn,
                          void *ctx)
{
    static struct buf out;
    size_t i, k;
    json_t *v;

    for (i = 0; i < e->patterns.n; i++) {
        const struct mt_signature *sig = &e->patterns.sigs[i];
        if (sig->kind != MT_SIG_FINDING || sig->article_index < 0) {
            continue;
        }
        json_array_foreach(sig->samples, k, v) {
            const char *t = sample_text(v);
            if (t != NULL) {
                reword(t, &out, wrap);
                fn(ctx, out.s, sig->article_index);
            }
        }
    }
}

struct tally {
    struct mt_engine *e;
    int n[NVERDICT];
};

static void count_one(void *ctx, const char *text, int article)
{
    struct tally *t = ctx;

    t->n[judge(t->e, text, article)]++;
}

static int reworded(const char *root, double min_reach)
{
    struct tally t;
    int wrap, v, total = 0, reached;

    memset(&t, 0, sizeof(t));
    t.e = load(root);
    for (wrap = 0; wrap <= 70; wrap += 70) {
        int before[NVERDICT];
        memcpy(before, t.n, sizeof(before));
        each_reworded(t.e, wrap, count_one, &t);
        printf("reworded samples%s:", wrap ? ", wrapped at 70" : "");
        for (v = 0; v < NVERDICT; v++) {
            printf(" %d %s", t.n[v] - before[v], verdict_names[v]);
        }
        printf("\n");
    }
    for (v = 0; v < NVERDICT; v++) {
        total += t.n[v];
    }
    reached = t.n[SURE] + t.n[POSSIBLE];
    printf("reworded reach: %d of %d (%.1f%%), sure %.1f%%, wrong %.1f%%; "
           "gate %.1f%%\n",
           reached, total, 100.0 * reached / total, 100.0 * t.n[SURE] / total,
           100.0 * t.n[WRONG] / total, 100.0 * min_reach);
    mt_engine_free(t.e);
    return (double)reached / total < min_reach ? 1 : 0;
}

/* ---- sweeping the fallback's knobs -------------------------------- */

#define MAX_CASES 4096
#define MAX_EXPECT 4

struct evalcase {
    char *text;
    int expect[MAX_EXPECT];
    int nexpect;
};

struct cases {
    struct evalcase v[MAX_CASES];
    int n;
};

static void add_reworded_case(void *ctx, const char *text, int article)
{
    struct cases *c = ctx;

    if (c->n < MAX_CASES) {
        c->v[c->n].text = strdup(text);
        c->v[c->n].expect[0] = article;
        c->v[c->n].nexpect = 1;
        c->n++;
    }
}

static int error_line(const char *s)
{
    static const char *const words[] = {"rror", "xception", "ailed", "ailure",
                                        "annot", "ouldn", "nable to",
                                        "iolat", "enied", NULL};
    int i;

    for (i = 0; words[i]; i++) {
        if (strstr(s, words[i]) != NULL) {
            return 1;
        }
    }
    return 0;
}

static void read_dev(const struct mt_engine *e, const char *dir,
                     struct cases *c)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char path[4096], line[MAX_TEXT];

    while (d != NULL && (de = readdir(d)) != NULL && c->n < MAX_CASES) {
        struct evalcase *x = &c->v[c->n];
        struct buf body;
        FILE *f;
        if (strstr(de->d_name, ".txt") == NULL) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        f = fopen(path, "r");
        body.n = 0;
        body.s[0] = '\0';
        x->nexpect = 0;
        while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
            if (strncmp(line, "# expect:", 9) == 0) {
                char *tok = strtok(line + 9, "| \n");
                for (; tok && x->nexpect < MAX_EXPECT;
                     tok = strtok(NULL, "| \n")) {
                    int a = mt_kb_find(&e->kb, tok);
                    if (a >= 0) {
                        x->expect[x->nexpect++] = a;
                    }
                }
            } else if (strncmp(line, "# ", 2) != 0 || body.n > 0) {
                put(&body, line, strlen(line));
            }
        }
        if (f != NULL) {
            fclose(f);
        }
        if (x->nexpect > 0) {
            x->text = strdup(body.s);
            c->n++;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

/* The best-scoring error line of a case: its match. */
static void best_line(const struct mt_similar *s, struct mt_similar_scratch *w,
                      const char *text, struct mt_similar_match *best)
{
    char *copy = strdup(text), *line, *save = NULL;

    memset(best, 0, sizeof(*best));
    best->article = -1;
    for (line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        struct mt_similar_match m;
        if (!error_line(line)) {
            continue;
        }
        if (mt_similar_rank(s, w, line, &m) >= 0 &&
            (best->article < 0 ||
             m.score - m.runner_up_score >
                 best->score - best->runner_up_score)) {
            *best = m;
        }
    }
    free(copy);
}

static void sweep_set(const char *name, const struct cases *c,
                      const struct mt_similar *s)
{
    static const double thresholds[] = {0.15, 0.20, 0.25, 0.30, 0.35, 0.40};
    static const double margins[] = {0.0, 0.03, 0.06, 0.10};
    struct mt_similar_scratch w;
    struct mt_similar_match *m = calloc((size_t)c->n + 1, sizeof(*m));
    size_t ti, mi;
    int i, k;

    mt_similar_scratch_init(&w, s);
    for (i = 0; i < c->n; i++) {
        best_line(s, &w, c->v[i].text, &m[i]);
    }
    for (ti = 0; ti < sizeof(thresholds) / sizeof(thresholds[0]); ti++) {
        for (mi = 0; mi < sizeof(margins) / sizeof(margins[0]); mi++) {
            int right = 0, wrong = 0;
            for (i = 0; i < c->n; i++) {
                int hit = 0;
                if (m[i].article < 0 || m[i].score < thresholds[ti] ||
                    m[i].score - m[i].runner_up_score < margins[mi]) {
                    continue;
                }
                for (k = 0; k < c->v[i].nexpect; k++) {
                    hit |= c->v[i].expect[k] == m[i].article;
                }
                right += hit;
                wrong += !hit;
            }
            printf("  %-9s threshold %.2f margin %.2f: reach %3d/%d "
                   "(%5.1f%%) precision %5.1f%%\n",
                   name, thresholds[ti], margins[mi], right, c->n,
                   100.0 * right / c->n,
                   right + wrong ? 100.0 * right / (right + wrong) : 0.0);
        }
    }
    mt_similar_scratch_free(&w);
    free(m);
}

static int sweep(const char *root, const char *devdir)
{
    static struct cases dev, rew;
    static const double weights[] = {1.0, 2.0, 3.0};
    struct mt_engine *e = load(root);
    size_t wi;
    int at;

    read_dev(e, devdir, &dev);
    each_reworded(e, 0, add_reworded_case, &rew);
    for (at = 0; at <= 1; at++) {
        for (wi = 0; wi < sizeof(weights) / sizeof(weights[0]); wi++) {
            struct mt_similar_tuning t = mt_similar_default_tuning;
            struct mt_similar *s;
            t.stable_weight = weights[wi];
            t.article_text = at;
            s = mt_similar_new_tuned(&e->patterns, &e->kb, &e->names, &t);
            printf("stable weight %.1f, article text %s:\n", weights[wi],
                   at ? "yes" : "no");
            sweep_set("dev", &dev, s);
            sweep_set("reworded", &rew, s);
            mt_similar_free(s);
        }
    }
    mt_engine_free(e);
    return 0;
}

/* Prints the nearest two articles of each line of standard input. */
static int rank_lines(const char *root)
{
    struct mt_engine *e = load(root);
    struct mt_similar_scratch w;
    static char line[MAX_TEXT];
    const struct mt_similar *similar = mt_engine_similar(e);

    if (similar == NULL) {
        fprintf(stderr, "mt_eval_layers: out of memory\n");
        return 1;
    }
    mt_similar_scratch_init(&w, similar);
    while (fgets(line, sizeof(line), stdin) != NULL) {
        struct mt_similar_match m;
        line[strcspn(line, "\r\n")] = '\0';
        mt_similar_rank(similar, &w, line, &m);
        printf("%.2f %s | %.2f %s | %.60s\n", m.score,
               m.article >= 0 ? e->kb.articles[m.article].id : "-",
               m.runner_up_score,
               m.runner_up >= 0 ? e->kb.articles[m.runner_up].id : "-", line);
    }
    mt_similar_scratch_free(&w);
    mt_engine_free(e);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "rank") == 0) {
        return rank_lines(argv[2]);
    }
    if (argc >= 3 && strcmp(argv[1], "reworded") == 0) {
        return reworded(argv[2], argc > 3 ? atof(argv[3]) : 0.0);
    }
    if (argc == 4 && strcmp(argv[1], "sweep") == 0) {
        return sweep(argv[2], argv[3]);
    }
    fprintf(stderr, "usage: mt_eval_layers reworded ROOT [MIN_REACH]\n"
                    "       mt_eval_layers rank ROOT < lines\n"
                    "       mt_eval_layers sweep ROOT DEVDIR\n");
    return 2;
}
