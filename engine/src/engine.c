/* engine.c: the public engine API: loading the knowledge, scanning inputs
 * (walk -> decode -> split -> match), and the per-document context rules
 * that attach a mailbox to every finding. */
#define _GNU_SOURCE /* sched_getaffinity: the CPUs that -j 0 may use */
#include "engine_private.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "mt_limits.h"
#include "parallel.h"
#include "recognise.h"
#include "scan.h"
#include "stream.h"
#include "util.h"
#include "walk.h"

/* Messages kept for the JSON report; more are still passed on. */
#define MAX_MESSAGES 10000
/* Findings a block may hold before they are flushed without waiting for
 * the end of the block (bounded memory on a file without blank lines). */
#define MAX_PENDING 256
/* Longest record text kept as a finding's message. */
#define MAX_MESSAGE 4096
/* Context pairs taken from one line (an HCW bracket has about ten). */
#define MAX_LINE_CONTEXT 16
/* Bytes kept on each side of a match when a record is longer than that. */
#define MESSAGE_CONTEXT 300


static const char *const severity_names[] = {"info", "warning", "error",
                                             "critical"};

const char *mt_severity_name(enum mt_severity s)
{
    return (unsigned)s < 4 ? severity_names[s] : "unknown";
}

int mt_severity_parse(const char *name)
{
    int i;

    for (i = 0; i < 4; i++) {
        if (name != NULL && strcmp(name, severity_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

struct mt_engine *mt_engine_new(void)
{
    struct mt_engine *e = mt_calloc(1, sizeof(*e));

    if (e == NULL) {
        return NULL;
    }
    e->alloc_failures = mt_alloc_failures();
    mt_limits_defaults(e->limits);
    e->jobs = 1;
    mt_results_init(&e->res, e->limits[MT_LIMIT_FINDING_GROUPS]);
    mt_mailboxes_init(&e->mailboxes, MT_MAX_MAILBOXES);
    mt_filters_free(&e->filters); /* empty, min_severity -1 */
    mt_state_init_engine(&e->own, e);
    return e;
}

static void document_reset(struct mt_document *d)
{
    size_t i;

    for (i = 0; i < d->npending; i++) {
        mt_finding_clear(&d->pending[i]);
    }
    d->npending = 0;
    mt_fields_clear(&d->context);
    mt_fields_clear(&d->names);
    mt_free(d->unknown_error);
    d->unknown_error = NULL;
    mt_free(d->origin);
    d->origin = NULL;
    d->block_start = 1;
    d->event_key = 0;
    d->line_run_len = 0;
}

void mt_engine_free(struct mt_engine *e)
{
    size_t i;

    if (e == NULL) {
        return;
    }
    mt_state_done(&e->own);
    mt_matcher_free(e->matcher);
    mt_similar_free(e->similar);
    mt_names_free(&e->names);
    mt_patterns_free(&e->patterns);
    mt_kb_free(&e->kb);
    mt_problems_free(&e->load_problems);
    for (i = 0; i < e->ninputs; i++) {
        mt_free(e->inputs[i].path);
    }
    mt_free(e->inputs);
    for (i = 0; i < e->nmessages; i++) {
        mt_free(e->messages[i].origin);
        mt_free(e->messages[i].text);
    }
    mt_free(e->messages);
    mt_results_free(&e->res);
    mt_mailboxes_free(&e->mailboxes);
    mt_filters_free(&e->filters);
    for (i = 0; i < e->nextra; i++) {
        mt_free(e->extra[i]);
    }
    mt_free(e);
}

void mt_engine_set_limit(struct mt_engine *e, enum mt_limit which,
                         uint64_t value)
{
    if ((unsigned)which < MT_LIMIT_COUNT_) {
        e->limits[which] = value;
        if (which == MT_LIMIT_FINDING_GROUPS) {
            e->res.agg.max_groups = value;
        }
    }
}

uint64_t mt_engine_get_limit(const struct mt_engine *e, enum mt_limit which)
{
    return (unsigned)which < MT_LIMIT_COUNT_ ? e->limits[which] : 0;
}

void mt_engine_set_message_cb(struct mt_engine *e, mt_message_fn fn,
                              void *ctx)
{
    e->message_fn = fn;
    e->message_ctx = ctx;
}

/* The CPUs this process may run on (taskset, a container's cpuset),
 * else those online. */
static unsigned usable_cpus(void)
{
    cpu_set_t set;
    long online;

    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
        return (unsigned)CPU_COUNT(&set);
    }
    online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (unsigned)online : 1;
}

void mt_engine_set_jobs(struct mt_engine *e, unsigned n)
{
    if (n == 0) {
        n = usable_cpus();
    }
    e->jobs = n > MT_MAX_JOBS ? MT_MAX_JOBS : n;
}

int mt_engine_out_of_memory(const struct mt_engine *e)
{
    return mt_alloc_failures() != e->alloc_failures;
}

/* Turns rc into MT_ENOMEM when an allocation failed: the result of a call
 * that absorbed a failure is not to be trusted. */
static int unless_out_of_memory(struct mt_engine *e, int rc)
{
    if (mt_engine_out_of_memory(e)) {
        snprintf(e->errmsg, sizeof(e->errmsg), "out of memory");
        return MT_ENOMEM;
    }
    return rc;
}

const char *mt_engine_errmsg(const struct mt_engine *e)
{
    return e->errmsg;
}

void mt_engine_message(struct mt_engine *e, enum mt_msg_level level,
                       const char *origin, const char *text)
{
    if (mt_engine_out_of_memory(e)) {
        return; /* the run ends as out of memory; this may only echo it */
    }
    if (e->nmessages < MAX_MESSAGES) {
        if (e->nmessages == e->alloc_messages) {
            size_t n = e->alloc_messages ? e->alloc_messages * 2 : 16;
            struct mt_message *grown = mt_realloc(e->messages,
                                                  n * sizeof(*grown));
            if (grown != NULL) {
                e->messages = grown;
                e->alloc_messages = n;
            }
        }
        if (e->nmessages < e->alloc_messages) {
            struct mt_message *m = &e->messages[e->nmessages++];
            m->level = (int)level;
            m->origin = mt_strdup(origin ? origin : "");
            m->text = mt_strdup(text);
        }
    } else {
        e->messages_dropped++;
    }
    if (e->message_fn) {
        e->message_fn(e->message_ctx, level, origin, text);
    }
}

static void scan_message(void *ctx, enum mt_msg_level level,
                         const char *origin, const char *text)
{
    mt_engine_message(ctx, level, origin, text);
}

int mt_engine_load(struct mt_engine *e, const char *patterns_dir,
                   const char *kb_dir)
{
    size_t i;
    int rc = MT_OK;

    if (e->loaded) {
        snprintf(e->errmsg, sizeof(e->errmsg), "knowledge already loaded");
        return MT_EMISUSE;
    }
    const char *empty = NULL;

    if (mt_patterns_load(&e->patterns, patterns_dir, &e->load_problems) < 0 ||
        mt_kb_load(&e->kb, kb_dir, &e->load_problems) < 0 ||
        mt_knowledge_load_extra(e) < 0) {
        rc = MT_EINPUT;
    } else if (e->patterns.n == 0) {
        empty = "signatures";
    } else if (e->kb.n == 0) {
        empty = "articles";
    }
    if (empty != NULL) {
        /* A wrong --kb/--patterns, or files all broken: scanning would
         * find nothing and look like a clean result. Its file problems
         * still go out as warnings (which file, what is wrong); checking
         * every signature against no articles would only add noise. */
        rc = MT_EINPUT;
    }
    mt_knowledge_read_version(e, kb_dir);
    for (i = 0; empty == NULL && i < e->patterns.n; i++) {
        struct mt_signature *s = &e->patterns.sigs[i];
        if (s->kind == MT_SIG_FINDING) {
            s->article_index = mt_kb_find(&e->kb, s->article);
            if (s->article_index < 0) {
                mt_problems_add(&e->load_problems,
                                "%s: %s: article \"%s\" does not exist",
                                s->file, s->id, s->article);
            }
        }
    }
    /* Stable names (names.c); their derived signatures sit after the
     * loaded ones. The nearest-article index waits for its first line
     * (mt_engine_similar). */
    if (mt_names_load(&e->names, kb_dir, &e->load_problems) != 0 ||
        mt_names_derive(&e->names, &e->kb, &e->patterns,
                        &e->load_problems) != 0) {
        snprintf(e->errmsg, sizeof(e->errmsg), "out of memory");
        return MT_ENOMEM;
    }
    e->matcher = mt_matcher_new(&e->patterns, &e->names,
                                e->limits[MT_LIMIT_MATCH_BUDGET],
                                e->limits[MT_LIMIT_DEPTH_BUDGET]);
    if (e->matcher == NULL) {
        snprintf(e->errmsg, sizeof(e->errmsg), "out of memory");
        return MT_ENOMEM;
    }
    e->own.matcher = e->matcher;
    e->loaded = 1;
    if (mt_engine_out_of_memory(e)) {
        /* The problems may be artefacts of the failure (a file that
         * "does not parse"); none is worth passing on. */
        return unless_out_of_memory(e, rc);
    }
    for (i = 0; i < e->load_problems.n; i++) {
        mt_engine_message(e, MT_MSG_WARNING, NULL,
                          e->load_problems.lines[i]);
    }
    if (rc == MT_OK && e->load_problems.n > 0) {
        rc = MT_EDATA;
    }
    if (empty != NULL) {
        snprintf(e->errmsg, sizeof(e->errmsg),
                 "%s: no %s loaded (no valid .json file in it)",
                 empty[0] == 's' ? patterns_dir : kb_dir, empty);
    } else if (rc != MT_OK) {
        snprintf(e->errmsg, sizeof(e->errmsg), "%s",
                 e->load_problems.n ? e->load_problems.lines[0]
                                    : "cannot load the knowledge base");
    }
    return rc;
}

/* One lock for building any engine's index: it happens once per engine,
 * and after it the state alone is read. */
static pthread_mutex_t similar_lock = PTHREAD_MUTEX_INITIALIZER;

const struct mt_similar *mt_engine_similar(const struct mt_engine *e)
{
    /* The index and its state are the one part of a loaded engine that
     * changes during a scan; only atomically or under similar_lock. */
    struct mt_engine *mut = (struct mt_engine *)e;
    int state = __atomic_load_n(&e->similar_state, __ATOMIC_ACQUIRE);

    if (state == 0) {
        pthread_mutex_lock(&similar_lock);
        state = __atomic_load_n(&e->similar_state, __ATOMIC_RELAXED);
        if (state == 0) {
            mut->similar = mt_similar_new(&e->patterns, &e->kb, &e->names);
            state = mut->similar != NULL ? 1 : -1;
            __atomic_store_n(&mut->similar_state, state, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&similar_lock);
    }
    return state == 1 ? e->similar : NULL;
}

/* ---- the record sink: context and findings of one document ---- */

static int push_pending(struct mt_document *d, struct mt_finding *f)
{
    if (d->npending == d->alloc_pending) {
        size_t n = d->alloc_pending ? d->alloc_pending * 2 : 16;
        struct mt_finding *grown = mt_realloc(d->pending, n * sizeof(*grown));
        if (grown == NULL) {
            mt_finding_clear(f);
            return MT_ENOMEM;
        }
        d->pending = grown;
        d->alloc_pending = n;
    }
    d->pending[d->npending++] = *f;
    memset(f, 0, sizeof(*f));
    return MT_OK;
}

void mt_state_init_engine(struct mt_state *st, struct mt_engine *e)
{
    memset(st, 0, sizeof(*st));
    st->e = e;
    st->matcher = e->matcher;
    st->doc.block_start = 1;
    st->agg = &e->res.agg;
    st->unknown = &e->res.unknown;
    st->possible = &e->res.possible;
    st->records = &e->res.records;
    st->mailboxes = &e->mailboxes;
    st->identities = &e->res.identities;
    st->sink = &e->sink;
    st->message = scan_message;
    st->message_ctx = e;
}

void mt_state_done(struct mt_state *st)
{
    document_reset(&st->doc);
    mt_recognise_done(st);
    mt_free(st->doc.pending);
    st->doc.pending = NULL;
    st->doc.alloc_pending = 0;
}

/* Notes the mailbox an object is about, with the status and batch its
 * report gives, whether or not anything is wrong with it; severity is the
 * finding's that names it, or -1. A shard logs it for the merge. */
static void register_mailbox(struct mt_state *st, const struct mt_fields *ctx,
                             const char *error, int severity)
{
    const char *name = mt_context_mailbox(ctx);
    const char *status = mt_fields_get(ctx, "status");
    const char *detail = mt_fields_get(ctx, "status_detail");
    const char *batch = mt_fields_get(ctx, "batch");
    struct mt_mailbox *mb;

    if (name == NULL) {
        return;
    }
    if (st->mailbox_log != NULL) {
        if (mt_mailbox_log_add(st->mailbox_log, name, status, detail, batch,
                               error, severity) != 0) {
            st->oom = 1;
        }
        return;
    }
    mb = mt_mailboxes_register(st->mailboxes, name, status, detail, batch,
                               error);
    if (mb != NULL && severity >= 0) {
        mb->findings++;
        if (severity > mb->worst) {
            mb->worst = severity;
        }
    }
}

/* Links the names the current object gives its mailbox as one mailbox. */
static void link_names(struct mt_state *st)
{
    const struct mt_fields *nm = &st->doc.names;
    const char *names[16];
    int kinds[16], i, n = 0;

    for (i = 0; i < nm->n && n < 16; i++) {
        names[n] = nm->kv[i].value;
        kinds[n++] = (int)(nm->kv[i].flags >> MT_NAMEF_SHIFT);
    }
    if (n > 0 && st->identities != NULL &&
        mt_identities_link(st->identities, names, kinds, (size_t)n) != 0) {
        st->oom = 1;
    }
}

/* A name finding whose article a signature also found in the same block
 * adds nothing. */
static int named_twice(const struct mt_state *st, const struct mt_finding *f)
{
    const struct mt_signature *sigs = st->e->patterns.sigs;
    size_t i;

    if (!sigs[f->sig].derived) {
        return 0;
    }
    for (i = 0; i < st->doc.npending; i++) {
        const struct mt_finding *g = &st->doc.pending[i];
        if (g->sig >= 0 && !sigs[g->sig].derived &&
            sigs[g->sig].article_index == sigs[f->sig].article_index) {
            return 1;
        }
    }
    return 0;
}

/* Ends a block: findings take the context their object named after them,
 * then are counted and streamed. */
static int flush_pending(struct mt_state *st)
{
    struct mt_document *d = &st->doc;
    size_t i;
    int rc = MT_OK, specific = 0;

    register_mailbox(st, &d->context, d->unknown_error, -1);
    link_names(st);
    for (i = 0; i < d->npending; i++) {
        if (named_twice(st, &d->pending[i])) {
            mt_finding_clear(&d->pending[i]);
            d->pending[i].sig = -1;
        }
    }
    for (i = 0; i < d->npending; i++) {
        specific |= d->pending[i].sig >= 0 &&
                    !st->e->patterns.sigs[d->pending[i].sig].object_fallback;
    }
    for (i = 0; i < d->npending; i++) {
        struct mt_finding *f = &d->pending[i];
        if (f->sig < 0) {
            continue;
        }
        if (specific && st->e->patterns.sigs[f->sig].object_fallback) {
            mt_finding_clear(f);
            continue;
        }
        mt_finding_merge_object(f, &d->context);
        mt_fields_sort(&f->context);
        mt_fields_sort(&f->fields);
        register_mailbox(st, &f->context, NULL, f->severity);
        if (st->sink != NULL) {
            mt_sink_deliver(st->e, f);
        } else if (st->streamed != NULL &&
                   mt_findings_push_copy(st->streamed, f) != 0) {
            st->oom = 1;
        }
        if (st->current != NULL) {
            st->current->findings++;
        }
        if (mt_aggregate_add(st->agg, f) != 0) {
            rc = MT_ENOMEM;
        }
    }
    d->npending = 0;
    return rc;
}

struct hit_ctx {
    struct mt_state *st;
    const struct mt_record *r;
    int contexts; /* context signatures that matched the record */
    struct mt_fields record_context; /* scope "record" context */
    int rc;
};

/* The kind of mailbox name a context capture holds, or -1 for none. */
static int name_kind(const char *capture)
{
    static const struct {
        const char *capture;
        int kind;
    } kinds[] = {{"primary_address", MT_NAME_PRIMARY},
                 {"alias", MT_NAME_ALIAS},
                 {"mailbox", MT_NAME_IDENTITY},
                 {"display_name", MT_NAME_DISPLAY}};
    size_t i;

    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(capture, kinds[i].capture) == 0) {
            return kinds[i].kind;
        }
    }
    return -1;
}

static void set_context(struct hit_ctx *h, const struct mt_hit *hit)
{
    struct mt_fields *dst = hit->sig->scope == MT_SCOPE_RECORD
                                ? &h->record_context
                                : &h->st->doc.context;
    unsigned flags = h->r->kind == MT_REC_FIELD ? MT_CTXF_FROM_FIELD : 0;
    int i;

    for (i = 0; i < hit->ncaps; i++) {
        /* Values with only blanks say nothing (an empty "Identity :"). */
        const char *v = hit->caps[i].value;
        size_t n = hit->caps[i].len;
        int kind;
        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')) {
            n--;
        }
        if (n == 0) {
            continue;
        }
        mt_fields_set(dst, hit->caps[i].name, v, n, flags);
        kind = name_kind(hit->caps[i].name);
        if (kind >= 0 && dst == &h->st->doc.context) {
            mt_fields_set(&h->st->doc.names, hit->sig->id, v, n,
                          flags | ((unsigned)kind << MT_NAMEF_SHIFT));
        }
    }
}

/* The text a finding shows: the record as it matched (with the join that
 * matched), or, for a long record such as a whole Report value, the part
 * around the match, cut on character boundaries. */
static char *message_of(const struct mt_hit *hit)
{
    size_t from = 0, to = hit->subject_len;
    struct mt_buf b;

    if (hit->subject_len > MAX_MESSAGE) {
        from = hit->start > MESSAGE_CONTEXT ? hit->start - MESSAGE_CONTEXT : 0;
        to = hit->end + MESSAGE_CONTEXT < hit->subject_len
                 ? hit->end + MESSAGE_CONTEXT
                 : hit->subject_len;
        if (to - from > MAX_MESSAGE) {
            to = from + MAX_MESSAGE;
        }
        while (from > 0 && ((unsigned char)hit->subject[from] & 0xc0) == 0x80) {
            from--;
        }
        while (to < hit->subject_len &&
               ((unsigned char)hit->subject[to] & 0xc0) == 0x80) {
            to++;
        }
    }
    mt_buf_init(&b, 0);
    if (from > 0) {
        mt_buf_append(&b, "...", 3);
    }
    mt_buf_append(&b, hit->subject + from, to - from);
    if (to < hit->subject_len) {
        mt_buf_append(&b, "...", 3);
    }
    return mt_buf_steal(&b);
}

static int on_hit(void *ctx, const struct mt_hit *hit)
{
    struct hit_ctx *h = ctx;
    struct mt_document *d = &h->st->doc;
    struct mt_finding f;
    int i;

    if (hit->sig->kind == MT_SIG_CONTEXT) {
        set_context(h, hit);
        h->contexts++;
        return 0;
    }
    memset(&f, 0, sizeof(f));
    f.sig = hit->sig_index;
    f.severity = hit->sig->severity;
    f.origin = mt_strdup(d->origin);
    f.line = h->r->line;
    f.message = message_of(hit);
    for (i = 0; i < hit->ncaps; i++) {
        mt_fields_set(&f.fields, hit->caps[i].name, hit->caps[i].value,
                      hit->caps[i].len, 0);
    }
    for (i = 0; i < (int)h->r->nctx; i++) {
        const struct mt_record_ctx *c = &h->r->ctx[i];
        if (c->value_len > 0 && mt_fields_get(&f.context, c->name) == NULL) {
            mt_fields_set(&f.context, c->name, c->value, c->value_len, 0);
        }
    }
    if (h->r->context_of != NULL) {
        struct mt_record_ctx line[MAX_LINE_CONTEXT];
        size_t k, n = h->r->context_of(h->r, line, MAX_LINE_CONTEXT);
        for (k = 0; k < n; k++) {
            if (line[k].value_len > 0 &&
                mt_fields_get(&f.context, line[k].name) == NULL) {
                mt_fields_set(&f.context, line[k].name, line[k].value,
                              line[k].value_len, 0);
            }
        }
    }
    mt_fields_merge_missing(&f.context, &h->record_context);
    mt_finding_merge_object(&f, &d->context);
    if (f.origin == NULL || f.message == NULL) {
        mt_finding_clear(&f);
        return MT_ENOMEM;
    }
    return push_pending(d, &f);
}

static int sink_begin(void *ctx, const char *origin)
{
    struct mt_state *st = ctx;

    document_reset(&st->doc);
    st->doc.origin = mt_strdup(origin);
    if (st->current != NULL) {
        st->current->documents++;
    }
    return st->doc.origin ? MT_OK : MT_ENOMEM;
}

/* Counts a record, and reports progress within a long input (sequential
 * scans; a pool reports each input as it is merged). */
static void count_record(struct mt_state *st, const struct mt_record *r)
{
    (*st->records)++;
    if (st->current != NULL) {
        st->current->records++;
    }
    if (st == &st->e->own && st->e->progress_fn != NULL) {
        st->text_bytes += r->len;
        if ((*st->records & 8191) == 0) {
            st->e->progress_fn(st->e->progress_ctx,
                               st->e->progress_bytes + st->text_bytes,
                               st->e->progress_inputs);
        }
    }
}

/* A record that is not blank: the first field after a blank starts a new
 * Format-List object, and what the previous object's fields said about
 * its mailbox does not apply to this one. */
static void open_record(struct mt_document *d, const struct mt_record *r)
{
    if (d->block_start && r->kind == MT_REC_FIELD) {
        mt_fields_remove_flagged(&d->context, MT_CTXF_FROM_FIELD);
        mt_fields_remove_flagged(&d->names, MT_CTXF_FROM_FIELD);
        mt_free(d->unknown_error);
        d->unknown_error = NULL;
    }
    d->block_start = 0;
}

static int sink_record(void *ctx, const struct mt_record *r)
{
    struct mt_state *st = ctx;
    struct mt_document *d = &st->doc;
    struct hit_ctx h;
    int error_like = 0, found;

    count_record(st, r);
    if (r->kind == MT_REC_BLANK) {
        d->block_start = 1;
        return flush_pending(st);
    }
    open_record(d, r);
    memset(&h, 0, sizeof(h));
    h.st = st;
    h.r = r;
    found = mt_matcher_run(st->matcher, r, on_hit, &h, &error_like);
    if (found >= 0) {
        found = mt_recognise_record(st, r, found, error_like,
                                    h.contexts, on_hit, &h);
    }
    mt_fields_clear(&h.record_context);
    if (found < 0) {
        return found;
    }
    if (d->npending >= MAX_PENDING) {
        return flush_pending(st);
    }
    return MT_OK;
}

static void sink_end(void *ctx)
{
    struct mt_state *st = ctx;

    flush_pending(st);
    document_reset(&st->doc);
}

static const struct mt_sink_ops engine_sink = {sink_begin, sink_record,
                                               sink_end};

/* The plain-text reader's blocks: one prefilter scan each (match.h). */
static void sink_block(void *ctx, const char *text, size_t n)
{
    struct mt_state *st = ctx;

    mt_matcher_block(st->matcher, text, n);
}

/* A line of the block in which the block scan found nothing: what
 * sink_record would do with it once the matcher found nothing (no finding,
 * no context, not error-like, no name), without running it. */
static int sink_quiet(void *ctx, const struct mt_record *r)
{
    struct mt_state *st = ctx;

    if (r->kind == MT_REC_BLANK || !mt_matcher_quiet(st->matcher, r)) {
        return 0;
    }
    count_record(st, r);
    open_record(&st->doc, r);
    return 1;
}

/* Sets a scan up to feed the engine's sink with st. */
static void scan_init_state(struct mt_scan *scan, struct mt_state *st)
{
    mt_scan_init(scan, st->e->limits, &engine_sink, st, st->message,
                 st->message_ctx);
    scan->block = sink_block;
    scan->quiet = sink_quiet;
}

/* ---- inputs ---- */

struct mt_input *mt_engine_add_input(struct mt_engine *e, const char *path)
{
    struct mt_input *in;

    if (e->ninputs == e->alloc_inputs) {
        size_t n = e->alloc_inputs ? e->alloc_inputs * 2 : 16;
        struct mt_input *grown = mt_realloc(e->inputs, n * sizeof(*grown));
        if (grown == NULL) {
            return NULL;
        }
        e->inputs = grown;
        e->alloc_inputs = n;
    }
    in = &e->inputs[e->ninputs];
    memset(in, 0, sizeof(*in));
    in->path = mt_strdup(path);
    if (in->path == NULL) {
        return NULL;
    }
    e->ninputs++;
    return in;
}

/* Scans one stream as the input in; takes ownership of s. */
static int scan_stream(struct mt_state *st, struct mt_input *in,
                       struct mt_stream *s, struct mt_scan *scan)
{
    uint64_t budget_before = mt_matcher_budget_exceeded(st->matcher);
    int rc;

    st->current = in;
    rc = mt_decode_stream(scan, s, in->path, 0);
    mt_stream_free(s);
    st->current = NULL;
    in->bytes = scan->raw_bytes;
    in->status = scan->status;
    if (rc < scan->status) {
        in->status = rc < MT_EINPUT ? MT_EINPUT : rc;
    }
    /* A regex the budget stopped neither matched nor failed to: findings
     * may be missing, which the reader must know. */
    in->budget_exceeded = mt_matcher_budget_exceeded(st->matcher) -
                          budget_before;
    if (in->budget_exceeded > 0) {
        char text[160];
        snprintf(text, sizeof(text),
                 "%llu signature match%s stopped by the match budget "
                 "(--limit match-budget, depth-budget); findings may be missing",
                 (unsigned long long)in->budget_exceeded,
                 in->budget_exceeded == 1 ? "" : "es");
        st->message(st->message_ctx, MT_MSG_WARNING, in->path, text);
        if (in->status == MT_OK) {
            in->status = MT_WARN;
        }
    }
    return in->status;
}

int mt_state_scan_file(struct mt_state *st, struct mt_input *in,
                       const char *path, int in_folder)
{
    struct mt_scan scan;
    struct mt_stream *s;
    const char *why = "cannot open";

    scan_init_state(&scan, st);
    /* Pool workers already keep every core busy; a read-ahead thread per
     * input would only add switching. */
    scan.no_readahead = st != &st->e->own;
    /* -j 2 and more: a long plain file is read on two threads, decoding
     * and the block prefilter beside the records (pipeline.h); -j 1 keeps
     * one scanning thread. */
    if (!scan.no_readahead && st->e->jobs > 1) {
        scan.pipeline = st->matcher;
    }
    if (strcmp(path, "-") == 0) {
        s = mt_stream_open_fd(STDIN_FILENO, &scan);
    } else if (in_folder) {
        s = mt_stream_open_regular(path, &scan, &why);
    } else {
        s = mt_stream_open_file(path, &scan, &why);
    }
    if (s == NULL && why == mt_not_regular) {
        /* As the walk notes the pipes it sees: not evidence, no failure. */
        st->message(st->message_ctx, MT_MSG_NOTE, in->path, why);
        return MT_OK;
    }
    if (s == NULL) {
        in->status = MT_EINPUT;
        st->message(st->message_ctx, MT_MSG_ERROR, in->path, why);
        return MT_EINPUT;
    }
    return scan_stream(st, in, s, &scan);
}

static int scan_one(struct mt_engine *e, const char *path, int in_folder)
{
    const char *name = strcmp(path, "-") == 0 ? "(stdin)" : path;
    struct mt_input *in = mt_engine_add_input(e, name);
    int rc;

    if (in == NULL) {
        return MT_ENOMEM;
    }
    rc = mt_state_scan_file(&e->own, in, path, in_folder);
    e->own.text_bytes = 0;
    mt_engine_progress(e, e->inputs[e->ninputs - 1].bytes);
    return rc;
}

void mt_engine_progress(struct mt_engine *e, uint64_t bytes)
{
    e->progress_bytes += bytes;
    e->progress_inputs++;
    if (e->progress_fn != NULL) {
        e->progress_fn(e->progress_ctx, e->progress_bytes,
                       e->progress_inputs);
    }
}

void mt_engine_set_progress_cb(struct mt_engine *e, mt_progress_fn fn,
                               void *ctx)
{
    e->progress_fn = fn;
    e->progress_ctx = ctx;
}

static int add_string(char ***list, size_t *n, const char *value)
{
    char **grown = mt_realloc(*list, (*n + 1) * sizeof(*grown));

    if (grown == NULL) {
        return MT_ENOMEM;
    }
    *list = grown;
    grown[*n] = mt_strdup(value);
    if (grown[*n] == NULL) {
        return MT_ENOMEM;
    }
    (*n)++;
    return MT_OK;
}

int mt_engine_add_filter(struct mt_engine *e, enum mt_filter which,
                         const char *value)
{
    struct mt_filters *f = &e->filters;

    if (value == NULL || value[0] == '\0') {
        snprintf(e->errmsg, sizeof(e->errmsg), "empty filter value");
        return MT_EMISUSE;
    }
    switch (which) {
    case MT_FILTER_MIN_SEVERITY:
        f->min_severity = mt_severity_parse(value);
        if (f->min_severity < 0) {
            snprintf(e->errmsg, sizeof(e->errmsg),
                     "unknown severity '%.100s' (info, warning, error, "
                     "critical)",
                     value);
            return MT_EMISUSE;
        }
        return MT_OK;
    case MT_FILTER_MAILBOX:
        return add_string(&f->mailboxes, &f->nmailboxes, value);
    case MT_FILTER_ARTICLE:
        return add_string(&f->articles, &f->narticles, value);
    case MT_FILTER_FAMILY:
        return add_string(&f->families, &f->nfamilies, value);
    }
    snprintf(e->errmsg, sizeof(e->errmsg), "unknown filter");
    return MT_EMISUSE;
}

int mt_engine_scan_one(struct mt_engine *e, const char *path)
{
    return scan_one(e, path, 1);
}

struct walk_ctx {
    struct mt_engine *e;
    const char *top; /* the path given: read even if not a regular file */
    int status;
};

static int worse(int a, int b)
{
    return a < b ? a : b; /* statuses are 0 or negative; lower is worse */
}

static int on_walk_file(void *ctx, const char *path)
{
    struct walk_ctx *w = ctx;
    int rc = scan_one(w->e, path, strcmp(path, w->top) != 0);

    w->status = worse(w->status, rc);
    /* Values above 1 stop the walk and tell it apart from "some paths
     * could not be visited". */
    return rc == MT_ENOMEM ? 2 : 0;
}

int mt_engine_walk_error(struct mt_engine *e, const char *path,
                         const char *why)
{
    int skipped_by_choice = strstr(why, "not a regular file") != NULL ||
                            strstr(why, "already scanned") != NULL;
    struct mt_input *in;

    /* A socket or fifo inside a folder of reports is not evidence, and a
     * directory linked twice was read once: note them without failing the
     * run. Unreadable files and loops are failures. */
    mt_engine_message(e, skipped_by_choice ? MT_MSG_NOTE : MT_MSG_ERROR,
                      path, why);
    if (skipped_by_choice) {
        return MT_OK;
    }
    in = mt_engine_add_input(e, path);
    if (in != NULL) {
        in->status = MT_EINPUT;
    }
    return MT_EINPUT;
}

static void on_walk_error(void *ctx, const char *path, const char *why)
{
    struct walk_ctx *w = ctx;

    w->status = worse(w->status, mt_engine_walk_error(w->e, path, why));
}

static int scan_path(struct mt_engine *e, const char *path)
{
    struct walk_ctx w = {e, path, MT_OK};
    int rc;

    if (!e->loaded) {
        snprintf(e->errmsg, sizeof(e->errmsg), "no knowledge loaded");
        return MT_EMISUSE;
    }
    /* A single file or stdin gains nothing from a pool. */
    if (e->jobs > 1 && strcmp(path, "-") != 0 && mt_is_directory(path)) {
        rc = mt_parallel_scan_path(e, path, e->jobs);
        if (rc == MT_ENOMEM) {
            snprintf(e->errmsg, sizeof(e->errmsg), "out of memory");
        }
        return rc;
    }
    rc = mt_walk_path(path, e->limits[MT_LIMIT_FILES], on_walk_file,
                      on_walk_error, &w);
    if (rc > 1) {
        snprintf(e->errmsg, sizeof(e->errmsg), "out of memory");
        return MT_ENOMEM;
    }
    return w.status;
}

int mt_engine_scan_path(struct mt_engine *e, const char *path)
{
    return unless_out_of_memory(e, scan_path(e, path));
}

static int scan_memory(struct mt_engine *e, const char *name,
                       const void *data, size_t len)
{
    struct mt_scan scan;
    struct mt_stream *s;
    struct mt_input *in;

    if (!e->loaded) {
        snprintf(e->errmsg, sizeof(e->errmsg), "no knowledge loaded");
        return MT_EMISUSE;
    }
    in = mt_engine_add_input(e, name);
    if (in == NULL) {
        return MT_ENOMEM;
    }
    scan_init_state(&scan, &e->own);
    s = mt_stream_open_memory(data, len, &scan);
    if (s == NULL) {
        return MT_ENOMEM;
    }
    return scan_stream(&e->own, in, s, &scan);
}

int mt_engine_scan_memory(struct mt_engine *e, const char *name,
                          const void *data, size_t len)
{
    return unless_out_of_memory(e, scan_memory(e, name, data, len));
}

char *mt_engine_decode_text(struct mt_engine *e, const char *name,
                            const void *data, size_t len)
{
    struct mt_scan scan;
    struct mt_stream *s;
    struct mt_buf text;
    int rc;

    mt_buf_init(&text, 0);
    mt_scan_init(&scan, e->limits, &engine_sink, &e->own, scan_message, e);
    scan.text_out = &text;
    s = mt_stream_open_memory(data, len, &scan);
    if (s == NULL) {
        return NULL;
    }
    /* Text only: a compressed paste is not a paste. */
    rc = mt_text_scan(&scan, s, name);
    mt_stream_free(s);
    if (rc == MT_ENOMEM || mt_buf_appendc(&text, '\0') != 0) {
        mt_buf_free(&text);
        return NULL;
    }
    return mt_buf_steal(&text);
}

uint64_t mt_engine_budget_exceeded(const struct mt_engine *e)
{
    return mt_matcher_budget_exceeded(e->matcher) + e->res.budget_exceeded;
}

int mt_engine_worst_severity(const struct mt_engine *e)
{
    int s;

    for (s = 3; s >= 0; s--) {
        if (e->res.agg.by_severity[s] > 0) {
            return s;
        }
    }
    return -1;
}

uint64_t mt_engine_failed_inputs(const struct mt_engine *e)
{
    uint64_t n = 0;
    size_t i;

    for (i = 0; i < e->ninputs; i++) {
        if (e->inputs[i].status != MT_OK) {
            n++;
        }
    }
    return n;
}

/* A possible match beside a sure finding of the same article says nothing
 * new (it is usually another line of the same error). */
static void drop_possibles_found(struct mt_engine *e)
{
    unsigned char *found;
    size_t i;

    if (e->res.possible.n == 0 ||
        (found = mt_calloc(e->kb.n + 1, 1)) == NULL) {
        return;
    }
    for (i = 0; i < e->res.agg.n; i++) {
        int a = e->patterns.sigs[e->res.agg.groups[i].first.sig].article_index;
        if (a >= 0) {
            found[a] = 1;
        }
    }
    mt_possibles_drop_found(&e->res.possible, found);
    mt_free(found);
}

int mt_engine_write_report(struct mt_engine *e, FILE *out,
                           enum mt_format format, unsigned flags)
{
    drop_possibles_found(e);
    switch (format) {
    case MT_FORMAT_JSON:
        mt_emit_json(e, out);
        break;
    case MT_FORMAT_HTML:
        mt_emit_html(e, out);
        break;
    case MT_FORMAT_CSV:
        mt_emit_csv(e, out);
        break;
    case MT_FORMAT_MARKDOWN:
        mt_emit_markdown(e, out);
        break;
    case MT_FORMAT_NDJSON:
        mt_emit_ndjson_summary(e, out);
        break;
    case MT_FORMAT_TEXT:
    default:
        mt_emit_text(e, out, flags);
        break;
    }
    fflush(out);
    return unless_out_of_memory(e, ferror(out) ? MT_EINPUT : MT_OK);
}
