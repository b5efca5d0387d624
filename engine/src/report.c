/* report.c: the report model (report.h): mailboxes as identities, the
 * filters, the fix-first ranking, the batch status counts. */
#include "report.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine_private.h"
#include "util.h"

void mt_filters_free(struct mt_filters *f)
{
    size_t i;

    for (i = 0; i < f->nmailboxes; i++) {
        mt_free(f->mailboxes[i]);
    }
    for (i = 0; i < f->narticles; i++) {
        mt_free(f->articles[i]);
    }
    for (i = 0; i < f->nfamilies; i++) {
        mt_free(f->families[i]);
    }
    mt_free(f->mailboxes);
    mt_free(f->articles);
    mt_free(f->families);
    memset(f, 0, sizeof(*f));
    f->min_severity = -1;
}

int mt_filters_active(const struct mt_filters *f)
{
    return f->min_severity >= 0 || f->nmailboxes || f->narticles ||
           f->nfamilies;
}

int mt_severity_weight(int severity)
{
    static const int w[] = {MT_WEIGHT_INFO, MT_WEIGHT_WARNING,
                            MT_WEIGHT_ERROR, MT_WEIGHT_CRITICAL};
    return (unsigned)severity < 4 ? w[severity] : MT_WEIGHT_INFO;
}

const char *mt_status_word(const char *status, char *buf, size_t size)
{
    size_t n = 0;

    if (status == NULL) {
        return NULL;
    }
    while (status[n] && status[n] != ' ' && status[n] != '(' &&
           n + 1 < size) {
        n++;
    }
    memcpy(buf, status, n);
    buf[n] = '\0';
    return buf;
}

int mt_person_failed_unexplained(const struct mt_person *p)
{
    return p->status != NULL && strncasecmp(p->status, "Failed", 6) == 0 &&
           p->all_findings == 0;
}

size_t mt_report_people_shown(const struct mt_report *r)
{
    size_t i, n = 0;

    for (i = 0; i < r->npeople; i++) {
        n += r->people[i].selected != 0;
    }
    return n;
}

const struct mt_person *mt_report_next_unexplained(const struct mt_report *r,
                                                   size_t *i)
{
    while (*i < r->npeople) {
        const struct mt_person *p = &r->people[r->people_by_name[(*i)++]];
        if (p->selected && mt_person_failed_unexplained(p)) {
            return p;
        }
    }
    return NULL;
}

/* ---- identities ---- */

struct build {
    struct mt_report *r;
    size_t *person_of_key; /* key -> person (MT_NONE) */
    size_t nkeys;
};

/* The key of a name: its union-find root when linked, else a slot of its
 * own (registry index, or group index past the registry). */
static size_t key_of(struct mt_engine *e, const char *name, size_t own)
{
    long i = mt_identities_find(&e->res.identities, name);

    return i >= 0 ? mt_identities_root(&e->res.identities, (size_t)i)
                  : e->res.identities.n + own;
}

static size_t person_for(struct build *b, size_t key, uint64_t seq)
{
    struct mt_report *r = b->r;

    if (b->person_of_key[key] == MT_NONE) {
        struct mt_person *p = &r->people[r->npeople];
        memset(p, 0, sizeof(*p));
        p->seq = seq;
        p->worst = -1;
        p->selected = 1;
        b->person_of_key[key] = r->npeople++;
    }
    return b->person_of_key[key];
}

/* (person, name) pairs, sorted by person then name, become r->names. */
struct named {
    size_t person;
    const char *name;
};

static int compare_named(const void *x, const void *y)
{
    const struct named *a = x, *b = y;
    if (a->person != b->person) {
        return a->person < b->person ? -1 : 1;
    }
    return strcmp(a->name, b->name);
}

static int kind_of(struct mt_engine *e, const char *name)
{
    long i = mt_identities_find(&e->res.identities, name);

    if (i >= 0) {
        return e->res.identities.names[i].kind;
    }
    return mt_name_is_address(name) ? MT_NAME_ADDRESS : MT_NAME_IDENTITY;
}

static int name_matches(const char *name, const struct mt_filters *f)
{
    size_t i;

    for (i = 0; i < f->nmailboxes; i++) {
        if (mt_name_equal(name, f->mailboxes[i])) {
            return 1;
        }
    }
    return 0;
}

static int build_people(struct build *b)
{
    struct mt_report *r = b->r;
    struct mt_engine *e = r->e;
    const struct mt_mailboxes *mbx = &e->mailboxes;
    struct named *named;
    size_t i, nnamed = 0, k;
    size_t cap = mbx->n + e->res.identities.n + e->res.agg.n + 1;

    r->people = mt_calloc(mbx->n + e->res.agg.n + 1, sizeof(*r->people));
    r->group_person = mt_calloc(e->res.agg.n + 1, sizeof(*r->group_person));
    named = mt_calloc(cap, sizeof(*named));
    if (r->people == NULL || r->group_person == NULL || named == NULL) {
        mt_free(named);
        return -1;
    }
    /* The registry first, in order of first mention: a mailbox takes the
     * status, batch and error of the first of its names that has one. */
    for (i = 0; i < mbx->n; i++) {
        const struct mt_mailbox *m = &mbx->items[i];
        size_t p = person_for(b, key_of(e, m->name, i), m->seq);
        struct mt_person *pp = &r->people[p];
        if (pp->status == NULL) {
            pp->status = m->status;
        }
        if (pp->batch == NULL) {
            pp->batch = m->batch;
        }
        if (pp->error == NULL) {
            pp->error = m->error;
        }
        named[nnamed].person = p;
        named[nnamed++].name = m->name;
    }
    for (i = 0; i < e->res.agg.n; i++) {
        const char *m = mt_finding_mailbox(&e->res.agg.groups[i].first);
        long reg;
        size_t p;
        if (m == NULL) {
            r->group_person[i] = MT_NONE;
            continue;
        }
        reg = mt_mailboxes_find(mbx, m);
        p = person_for(b,
                       reg >= 0 ? key_of(e, m, (size_t)reg)
                                : key_of(e, m, mbx->n + i),
                       mbx->n + e->res.agg.groups[i].seq);
        r->group_person[i] = p;
        if (reg < 0) {
            named[nnamed].person = p;
            named[nnamed++].name = m;
        }
    }
    /* Names known only as links (an alias, an address) join their
     * mailbox's list, for --mailbox and for choosing its name. */
    for (i = 0; i < e->res.identities.n; i++) {
        size_t root = mt_identities_root(&e->res.identities, i);
        if (b->person_of_key[root] != MT_NONE && nnamed < cap) {
            named[nnamed].person = b->person_of_key[root];
            named[nnamed++].name = e->res.identities.names[i].name;
        }
    }
    qsort(named, nnamed, sizeof(*named), compare_named);
    r->names = mt_calloc(nnamed + 1, sizeof(*r->names));
    if (r->names == NULL) {
        mt_free(named);
        return -1;
    }
    for (i = 0; i < nnamed; i++) {
        struct mt_person *p = &r->people[named[i].person];
        int kind;
        /* The same name twice (registry and link, or other case): once. */
        if (p->nnames > 0 &&
            mt_name_equal(r->names[r->nnames - 1], named[i].name)) {
            continue;
        }
        if (p->nnames == 0) {
            p->first_name = r->nnames;
        }
        r->names[r->nnames++] = named[i].name;
        p->nnames++;
        kind = kind_of(e, named[i].name);
        if (p->name == NULL || kind < p->name_kind ||
            (kind == p->name_kind &&
             strcmp(mt_name_strip(named[i].name),
                    mt_name_strip(p->name)) < 0)) {
            p->name = mt_name_strip(named[i].name);
            p->name_kind = kind;
        }
    }
    mt_free(named);
    for (i = 0; i < r->npeople && e->filters.nmailboxes > 0; i++) {
        struct mt_person *p = &r->people[i];
        p->selected = 0;
        for (k = 0; k < p->nnames; k++) {
            p->selected |= name_matches(r->names[p->first_name + k],
                                        &e->filters);
        }
    }
    return 0;
}

/* ---- findings: suppression, filters, ranking ---- */

static int article_key(const struct mt_engine *e, const struct mt_group *g)
{
    int a = e->patterns.sigs[g->first.sig].article_index;
    return a >= 0 ? a : -1 - g->first.sig;
}

static int generic(const struct mt_engine *e, const struct mt_group *g)
{
    const struct mt_signature *s = &e->patterns.sigs[g->first.sig];
    return s->fallback || s->object_fallback;
}

static int glob_any(char *const *globs, size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (fnmatch(globs[i], s, 0) == 0) {
            return 1;
        }
    }
    return 0;
}

static int group_shown(const struct mt_report *r, size_t g)
{
    const struct mt_engine *e = r->e;
    const struct mt_group *gr = &e->res.agg.groups[g];
    const struct mt_filters *f = &e->filters;
    const struct mt_article *a = mt_engine_article_of(e, gr->first.sig);
    size_t p = r->group_person[g];

    /* A catch-all says less than the specific finding of the same
     * mailbox. */
    if (p != MT_NONE && r->people[p].has_specific && generic(e, gr)) {
        return 0;
    }
    if (f->min_severity >= 0 && gr->first.severity < f->min_severity) {
        return 0;
    }
    if (f->narticles > 0 &&
        !glob_any(f->articles, f->narticles,
                  a ? a->id : e->patterns.sigs[gr->first.sig].article)) {
        return 0;
    }
    if (f->nfamilies > 0 &&
        !glob_any(f->families, f->nfamilies, a ? a->family : "")) {
        return 0;
    }
    if (f->nmailboxes > 0 && (p == MT_NONE || !r->people[p].selected)) {
        return 0;
    }
    return 1;
}

static const struct mt_report *sort_report;

static const char *problem_id(const struct mt_engine *e, int article)
{
    return article >= 0 ? e->kb.articles[article].id
                        : e->patterns.sigs[-1 - article].article;
}

static int compare_problems(const void *x, const void *y)
{
    const struct mt_problem *a = x, *b = y;

    if (a->score != b->score) {
        return a->score > b->score ? -1 : 1;
    }
    if (a->worst != b->worst) {
        return b->worst - a->worst;
    }
    if (a->generic != b->generic) {
        return a->generic - b->generic;
    }
    return strcmp(problem_id(sort_report->e, a->article),
                  problem_id(sort_report->e, b->article));
}

static int compare_shown(const void *x, const void *y)
{
    const struct mt_report *r = sort_report;
    const struct mt_engine *e = r->e;
    size_t ga = *(const size_t *)x, gb = *(const size_t *)y;
    const struct mt_group *a = &e->res.agg.groups[ga], *b = &e->res.agg.groups[gb];
    size_t pa = r->problems[r->problem_of[ga]].rank,
           pb = r->problems[r->problem_of[gb]].rank;
    int c;

    if (pa != pb) {
        return pa < pb ? -1 : 1;
    }
    if (a->first.severity != b->first.severity) {
        return b->first.severity - a->first.severity;
    }
    c = strcmp(e->patterns.sigs[a->first.sig].id,
               e->patterns.sigs[b->first.sig].id);
    if (c != 0) {
        return c;
    }
    /* One mailbox's groups of a signature together (it may have been
     * named differently in different inputs), no mailbox last. */
    if (r->group_person[ga] != r->group_person[gb]) {
        return r->group_person[ga] < r->group_person[gb] ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int compare_by_problem(const void *x, const void *y)
{
    size_t ga = *(const size_t *)x, gb = *(const size_t *)y;
    size_t pa = sort_report->problem_of[ga], pb = sort_report->problem_of[gb];

    if (pa != pb) {
        return pa < pb ? -1 : 1;
    }
    return ga < gb ? -1 : ga > gb;
}

static int build_problems(struct mt_report *r)
{
    struct mt_engine *e = r->e;
    size_t i, n = e->res.agg.n;
    /* per kb article, then per signature without an article */
    size_t nkeys = e->kb.n + e->patterns.n, *problem_of_key;
    size_t *stamp = mt_calloc(r->npeople + 1, sizeof(*stamp));

    problem_of_key = mt_malloc((nkeys + 1) * sizeof(*problem_of_key));
    r->problems = mt_calloc(n + 1, sizeof(*r->problems));
    r->problem_of = mt_malloc((n + 1) * sizeof(*r->problem_of));
    r->groups = mt_malloc((n + 1) * sizeof(*r->groups));
    if (problem_of_key == NULL || stamp == NULL || r->problems == NULL ||
        r->problem_of == NULL || r->groups == NULL) {
        mt_free(problem_of_key);
        mt_free(stamp);
        return -1;
    }
    for (i = 0; i < nkeys; i++) {
        problem_of_key[i] = MT_NONE;
    }
    for (i = 0; i < n; i++) {
        const struct mt_group *g = &e->res.agg.groups[i];
        size_t p = r->group_person[i];
        if (p != MT_NONE) {
            r->people[p].all_findings += g->count;
            r->people[p].has_specific |= !generic(e, g);
        }
    }
    for (i = 0; i < n; i++) {
        const struct mt_group *g = &e->res.agg.groups[i];
        int a = article_key(e, g);
        size_t key = a >= 0 ? (size_t)a : e->kb.n + (size_t)(-1 - a);
        size_t person = r->group_person[i];
        struct mt_problem *pr;

        r->problem_of[i] = MT_NONE;
        if (!group_shown(r, i)) {
            continue;
        }
        if (problem_of_key[key] == MT_NONE) {
            pr = &r->problems[r->nproblems];
            pr->article = a;
            pr->worst = -1;
            pr->generic = 1;
            problem_of_key[key] = r->nproblems++;
        }
        r->problem_of[i] = problem_of_key[key];
        pr = &r->problems[problem_of_key[key]];
        pr->count += g->count;
        pr->generic &= generic(e, g);
        if (g->first.severity > pr->worst) {
            pr->worst = g->first.severity;
        }
        if (person != MT_NONE) {
            struct mt_person *pp = &r->people[person];
            pp->findings += g->count;
            if (g->first.severity > pp->worst) {
                pp->worst = g->first.severity;
            }
        }
        r->findings += g->count;
        r->groups[r->ngroups++] = i;
    }
    /* Distinct mailboxes per problem: with the groups in problem order,
     * stamp[person] is the problem (+1) that last counted the person. */
    sort_report = r;
    qsort(r->groups, r->ngroups, sizeof(*r->groups), compare_by_problem);
    for (i = 0; i < r->ngroups; i++) {
        size_t g = r->groups[i], person = r->group_person[g];
        if (person != MT_NONE && stamp[person] != r->problem_of[g] + 1) {
            stamp[person] = r->problem_of[g] + 1;
            r->problems[r->problem_of[g]].mailboxes++;
        }
    }
    mt_free(stamp);
    for (i = 0; i < r->nproblems; i++) {
        struct mt_problem *pr = &r->problems[i];
        pr->score = (uint64_t)mt_severity_weight(pr->worst) *
                    (pr->mailboxes > 0 ? pr->mailboxes : 1);
    }
    /* Rank the problems; problem_of then points at the sorted slots. */
    sort_report = r;
    {
        size_t *slot = problem_of_key; /* reused: old index -> new */
        struct mt_problem *sorted = r->problems;
        for (i = 0; i < r->nproblems; i++) {
            sorted[i].rank = i; /* remember the old index */
        }
        qsort(sorted, r->nproblems, sizeof(*sorted), compare_problems);
        for (i = 0; i < r->nproblems; i++) {
            slot[sorted[i].rank] = i;
        }
        for (i = 0; i < n; i++) {
            if (r->problem_of[i] != MT_NONE) {
                r->problem_of[i] = slot[r->problem_of[i]];
            }
        }
        for (i = 0; i < r->nproblems; i++) {
            sorted[i].rank = i + 1;
        }
    }
    qsort(r->groups, r->ngroups, sizeof(*r->groups), compare_shown);
    /* Each problem's range of groups. */
    for (i = 0; i < r->ngroups; i++) {
        struct mt_problem *pr = &r->problems[r->problem_of[r->groups[i]]];
        if (i == 0 || r->problem_of[r->groups[i - 1]] !=
                          r->problem_of[r->groups[i]]) {
            pr->from = i;
        }
        pr->to = i + 1;
    }
    sort_report = NULL;
    mt_free(problem_of_key);
    return 0;
}

static int compare_people(const void *x, const void *y)
{
    const struct mt_person *a = &sort_report->people[*(const size_t *)x];
    const struct mt_person *b = &sort_report->people[*(const size_t *)y];
    int c = strcmp(a->name, b->name);

    return c ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Whether some finding took its mailbox from its own text (a capture)
 * rather than from the object it sits in. Such an input is a transcript
 * of commands about several objects (errors quoting 'Carol Jones', then
 * 'finance'), even when only one of them is named: one mailbox for the
 * whole report would then put a name into commands about the others. */
static int mailbox_named_in_text(const struct mt_report *r)
{
    size_t i;

    for (i = 0; i < r->ngroups; i++) {
        if (mt_finding_names_own_mailbox(
                &r->e->res.agg.groups[r->groups[i]].first)) {
            return 1;
        }
    }
    return 0;
}

#define SHARED_CONFLICT 0x1u

static int build_shared(struct mt_report *r)
{
    size_t i, selected = 0, one = MT_NONE;
    int k;

    for (i = 0; i < r->ngroups; i++) {
        const struct mt_fields *c = &r->e->res.agg.groups[r->groups[i]].first.context;
        for (k = 0; k < c->n; k++) {
            const char *name = c->kv[k].name, *v = c->kv[k].value;
            const char *had = mt_fields_get(&r->shared, name);
            if (mt_context_per_mailbox(name)) {
                continue;
            }
            if (had == NULL) {
                if (mt_fields_set(&r->shared, name, v, strlen(v), 0) != 0) {
                    return -1;
                }
            } else if (strcmp(had, v) != 0 &&
                       mt_fields_set(&r->shared, name, "", 0,
                                     SHARED_CONFLICT) != 0) {
                return -1;
            }
        }
    }
    mt_fields_remove_flagged(&r->shared, SHARED_CONFLICT);
    for (i = 0; i < r->npeople; i++) {
        if (r->people[i].selected) {
            selected++;
            one = i;
        }
    }
    if (selected == 1 && !mailbox_named_in_text(r) &&
        mt_fields_set(&r->shared, "mailbox", r->people[one].name,
                      strlen(r->people[one].name), 0) != 0) {
        return -1;
    }
    return 0;
}

struct mt_report *mt_report_build(struct mt_engine *e)
{
    struct mt_report *r = mt_calloc(1, sizeof(*r));
    struct build b;
    size_t i;

    if (r == NULL) {
        return NULL;
    }
    r->e = e;
    r->filtered = mt_filters_active(&e->filters);
    mt_identities_resolve(&e->res.identities);
    b.r = r;
    b.nkeys = e->res.identities.n + e->mailboxes.n + e->res.agg.n + 1;
    b.person_of_key = mt_malloc(b.nkeys * sizeof(*b.person_of_key));
    if (b.person_of_key == NULL) {
        mt_free(r);
        return NULL;
    }
    for (i = 0; i < b.nkeys; i++) {
        b.person_of_key[i] = MT_NONE;
    }
    if (build_people(&b) != 0 || build_problems(r) != 0) {
        mt_free(b.person_of_key);
        mt_report_free(r);
        return NULL;
    }
    mt_free(b.person_of_key);
    r->people_by_name = mt_malloc((r->npeople + 1) * sizeof(size_t));
    if (r->people_by_name == NULL) {
        mt_report_free(r);
        return NULL;
    }
    for (i = 0; i < r->npeople; i++) {
        r->people_by_name[i] = i;
    }
    sort_report = r;
    qsort(r->people_by_name, r->npeople, sizeof(size_t), compare_people);
    sort_report = NULL;
    if (build_shared(r) != 0) {
        mt_report_free(r);
        return NULL;
    }
    return r;
}

void mt_report_free(struct mt_report *r)
{
    if (r == NULL) {
        return;
    }
    mt_free(r->people);
    mt_free(r->people_by_name);
    mt_free(r->names);
    mt_free(r->group_person);
    mt_free(r->problem_of);
    mt_free(r->groups);
    mt_free(r->problems);
    mt_fields_clear(&r->shared);
    mt_free(r);
}

const char *mt_report_group_mailbox(const struct mt_report *r, size_t g)
{
    size_t p = r->group_person[g];
    return p != MT_NONE ? r->people[p].name : NULL;
}

/* ---- batches ---- */

static int compare_batches(const void *x, const void *y)
{
    const struct mt_batch_status *a = x, *b = y;

    if ((a->batch == NULL) != (b->batch == NULL)) {
        return a->batch == NULL ? 1 : -1;
    }
    return a->batch ? strcmp(a->batch, b->batch) : 0;
}

static int compare_statuses(const void *x, const void *y)
{
    const struct mt_status_count *a = x, *b = y;

    if (a->count != b->count) {
        return a->count > b->count ? -1 : 1;
    }
    return strcmp(a->word, b->word);
}

struct mt_batch_status *mt_report_batches(const struct mt_report *r,
                                          size_t *n)
{
    struct mt_batch_status *out;
    size_t i, k, nb = 0;
    int any = 0;

    *n = 0;
    for (i = 0; i < r->npeople; i++) {
        any |= r->people[i].selected &&
               (r->people[i].status != NULL || r->people[i].batch != NULL);
    }
    if (!any) {
        return NULL;
    }
    out = mt_calloc(r->npeople + 1, sizeof(*out));
    if (out == NULL) {
        return NULL;
    }
    for (i = 0; i < r->npeople; i++) {
        const struct mt_person *p = &r->people[r->people_by_name[i]];
        struct mt_batch_status *bs = NULL;
        /* "MigrationService:Batch02" is batch Batch02 */
        const char *batch = p->batch ? mt_name_strip(p->batch) : NULL;
        char word[48];
        const char *w;

        if (!p->selected) {
            continue;
        }
        /* Batches are few: a linear search is enough. */
        for (k = 0; k < nb && bs == NULL; k++) {
            if ((out[k].batch == NULL && batch == NULL) ||
                (out[k].batch && batch && strcmp(out[k].batch, batch) == 0)) {
                bs = &out[k];
            }
        }
        if (bs == NULL) {
            bs = &out[nb++];
            bs->batch = batch;
        }
        bs->mailboxes++;
        w = mt_status_word(p->status, word, sizeof(word));
        if (w == NULL || w[0] == '\0') {
            w = "Unknown";
        }
        for (k = 0; k < bs->nstatuses; k++) {
            if (strcmp(bs->statuses[k].word, w) == 0) {
                break;
            }
        }
        if (k == bs->nstatuses) {
            if (bs->nstatuses == sizeof(bs->statuses) /
                                     sizeof(bs->statuses[0])) {
                bs->other++;
                continue;
            }
            snprintf(bs->statuses[k].word, sizeof(bs->statuses[k].word),
                     "%s", w);
            bs->nstatuses++;
        }
        bs->statuses[k].count++;
    }
    for (k = 0; k < nb; k++) {
        qsort(out[k].statuses, out[k].nstatuses, sizeof(out[k].statuses[0]),
              compare_statuses);
    }
    qsort(out, nb, sizeof(*out), compare_batches);
    *n = nb;
    return out;
}

/* ---- the NDJSON stream, which cannot wait for the report ---- */

int mt_filters_pass(const struct mt_engine *e, const struct mt_finding *f)
{
    const struct mt_filters *fl = &e->filters;
    const struct mt_article *a = mt_engine_article_of(e, f->sig);
    static const char *const names[] = {"mailbox", "display_name", "alias",
                                        "primary_address"};
    size_t i;
    int any = 0;

    if (fl->min_severity >= 0 && f->severity < fl->min_severity) {
        return 0;
    }
    if (fl->narticles > 0 &&
        !glob_any(fl->articles, fl->narticles,
                  a ? a->id : e->patterns.sigs[f->sig].article)) {
        return 0;
    }
    if (fl->nfamilies > 0 &&
        !glob_any(fl->families, fl->nfamilies, a ? a->family : "")) {
        return 0;
    }
    if (fl->nmailboxes == 0) {
        return 1;
    }
    /* Only the names the finding carries: links to other names are known
     * at the end of the run. */
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = mt_fields_get(&f->context, names[i]);
        any |= v != NULL && name_matches(v, fl);
    }
    return any;
}
