/* engine_private.h: the engine handle, shared by engine.c (scanning), the
 * emitters and lint. Nothing outside engine/src sees it. */
#ifndef MT_ENGINE_PRIVATE_H
#define MT_ENGINE_PRIVATE_H

#include <stdint.h>
#include <stdio.h>

#include "aggregate.h"
#include "fields.h"
#include "identity.h"
#include "kb.h"
#include "mailboxes.h"
#include "match.h"
#include "migtriage.h"
#include "names.h"
#include "patterns.h"
#include "possible.h"
#include "results.h"
#include "problems.h"
#include "report.h"
#include "similar.h"
#include "unknown.h"
#include "util.h"

/* One top-level input: a command-line file, a file found in a directory,
 * or stdin. Archive members are counted inside their input. */
struct mt_input {
    char *path;
    int status; /* MT_OK, MT_WARN, MT_EINPUT */
    uint64_t bytes;
    uint64_t records;
    uint64_t documents;
    uint64_t findings;
    uint64_t budget_exceeded; /* regex runs the match budget stopped */
};

struct mt_message {
    int level; /* enum mt_msg_level */
    char *origin;
    char *text;
};

/* Flags on context entries. */
#define MT_CTXF_FROM_FIELD 0x1u /* set by a Format-List field record */
#define MT_NAMEF_SHIFT 4        /* names: enum mt_name_kind above this */

/* The document being read: its context and the findings of the current
 * block (records since the last blank line), which wait for the block to
 * end so that a mailbox named later in the same object reaches them. */
struct mt_document {
    char *origin;
    struct mt_fields context;
    /* The names the current object gives its mailbox (Identity, Alias,
     * addresses, DisplayName): name = signature id, value = the name,
     * flags = MT_CTXF_FROM_FIELD and the name's kind << MT_NAMEF_SHIFT. */
    struct mt_fields names;
    /* The first error-like line of the object that no signature knows:
     * what a failed mailbox without a known cause shows. */
    char *unknown_error;
    int block_start; /* the next record starts a block */
    struct mt_finding *pending;
    size_t npending;
    size_t alloc_pending;
    unsigned long long event_key; /* event (source, id) last reported */
    /* The unexplained lines just before the current one, joined by
     * spaces, when they look like one message wrapped over several lines
     * (recognise.c); line_run_last is the last line of the run. */
    char line_run[2048];
    size_t line_run_len;
    uint64_t line_run_last;
};

/* Where the record sink writes while an input is scanned: the engine's own
 * results (a sequential scan: this is e->own) or one worker's shard of a
 * parallel scan (parallel.c), which is merged into the engine later, in
 * input order. The sink logic is the same for both. */
/* Where findings go as they are found: the embedder's callback, or the
 * NDJSON writer (sink.c). fn NULL: nowhere, the report only. */
struct mt_finding_sink {
    void (*fn)(struct mt_engine *e, void *ctx, const struct mt_finding *f);
    void *ctx;
    mt_finding_fn user_fn; /* mt_engine_set_finding_cb() */
};

/* Hands f to the engine's sink, if any. */
void mt_sink_deliver(struct mt_engine *e, const struct mt_finding *f);

struct mt_state {
    struct mt_engine *e; /* knowledge and limits: read only while scanning */
    struct mt_matcher *matcher;
    struct mt_document doc;
    struct mt_input *current; /* input being scanned */
    struct mt_aggregate *agg;
    struct mt_unknown *unknown;
    struct mt_possibles *possible;
    struct mt_similar_scratch similar_scratch; /* made on first use */
    uint64_t *records;
    /* Mailboxes: the registry itself, or (shard) a log of registrations */
    struct mt_mailboxes *mailboxes;
    struct mt_mailbox_log *mailbox_log;
    /* Names linked as one mailbox: the engine's, or the shard's own */
    struct mt_identities *identities;
    /* Findings as found: handed to the sink, or (shard) copies kept in
     * order for the merge to hand over */
    const struct mt_finding_sink *sink;
    struct mt_findings *streamed;
    /* Messages about the input: the engine's list and callback, or the
     * shard's list. Called under scan.c's message lock. */
    mt_message_fn message;
    void *message_ctx;
    int oom; /* a shard could not keep something: the run stops */
    uint64_t text_bytes; /* of the current input so far, for progress */
};

struct mt_engine {
    uint64_t limits[MT_LIMIT_COUNT_];
    unsigned jobs; /* inputs scanned at once; 1 = sequential */
    mt_message_fn message_fn;
    void *message_ctx;
    char errmsg[512];
    unsigned long long alloc_failures; /* mt_alloc_failures() at creation */

    struct mt_patterns patterns;
    struct mt_kb kb;
    struct mt_problems load_problems;
    struct mt_matcher *matcher;
    struct mt_names names;      /* kb/names: stable names -> articles */
    /* The nearest-article index of the samples, built by the first line
     * that needs it (mt_engine_similar): most runs never do. */
    struct mt_similar *similar;
    int similar_state; /* atomic: 0 not built, 1 built, -1 out of memory */
    int loaded;
    char *extra[MT_MAX_EXTRA_KNOWLEDGE]; /* mt_engine_add_knowledge() */
    size_t nextra;
    char kb_version[64]; /* kb/VERSION, "unversioned" without one */

    struct mt_input *inputs;
    size_t ninputs;
    size_t alloc_inputs;
    struct mt_message *messages;
    size_t nmessages;
    size_t alloc_messages;
    uint64_t messages_dropped;

    struct mt_state own; /* the sink's state for sequential scans */
    struct mt_results res; /* everything scanned so far (results.h) */
    struct mt_mailboxes mailboxes;
    struct mt_finding_sink sink; /* findings as they are found (sink.c) */
    struct mt_filters filters; /* what the report shows */
    mt_progress_fn progress_fn;
    void *progress_ctx;
    uint64_t progress_bytes;
    uint64_t progress_inputs;
};

/* Extra knowledge folders and the knowledge base version (knowledge.c). */
int mt_knowledge_load_extra(struct mt_engine *e);
void mt_knowledge_read_version(struct mt_engine *e, const char *kb_dir);
/* The knowledge with its code tables loaded (kb/codes/, on first use: a
 * scan never needs them). Their problems join the load problems, and are
 * passed to the message callback as warnings unless quiet (kb lint
 * reports them itself). */
const struct mt_kb *mt_knowledge_codes(const struct mt_engine *e, int quiet);

/* Scanning, shared by the sequential path (engine.c) and the parallel one
 * (parallel.c). */

/* Prepares a state that writes into the engine's own results. */
void mt_state_init_engine(struct mt_state *st, struct mt_engine *e);
/* Frees what a state's document holds (not its targets). */
void mt_state_done(struct mt_state *st);
/* Scans the file path ("-": stdin) as the input in, into st. A file found
 * in a folder (in_folder) must be a regular file; a named pipe given on
 * the command line (<(zcat x)) is read. Returns the input's status, or
 * MT_ENOMEM. */
int mt_state_scan_file(struct mt_state *st, struct mt_input *in,
                       const char *path, int in_folder);
/* Appends an input record (path copied); NULL when out of memory. */
struct mt_input *mt_engine_add_input(struct mt_engine *e, const char *path);
/* Keeps a message for the report and passes it to the message callback. */
void mt_engine_message(struct mt_engine *e, enum mt_msg_level level,
                       const char *origin, const char *text);
/* A path the walk could not visit: noted, and (unless skipped by choice)
 * a failed input. Returns the status it gives the scan. */
int mt_engine_walk_error(struct mt_engine *e, const char *path,
                         const char *why);
/* Scans one file found in a folder with the engine's own state. */
int mt_engine_scan_one(struct mt_engine *e, const char *path);
/* Match attempts over budget, of every matcher the scans used. */
uint64_t mt_engine_budget_exceeded(const struct mt_engine *e);

/* Output helpers shared by the emitters (emit_common.c). */
const struct mt_article *mt_engine_article_of(const struct mt_engine *e,
                                              int sig);
/* The finding passes the filters that need no report (NDJSON stream):
 * severity, article, family, and --mailbox on the finding's own names. */
int mt_filters_pass(const struct mt_engine *e, const struct mt_finding *f);
/* Reports progress after an input (engine.c). */
void mt_engine_progress(struct mt_engine *e, uint64_t bytes);
/* Writes log text with control characters (C0, DEL, C1) replaced by '?',
 * cut at max bytes on a character boundary ("..." marks the cut). */
void mt_put_clean(FILE *out, const char *s, size_t max);
/* A JSON string; NULL gives null, invalid UTF-8 bytes become '?'. */
json_t *mt_jstr(const char *s);
json_t *mt_jfields(const struct mt_fields *f);
/* "origin:line" */
json_t *mt_jorigin(const char *origin, uint64_t line);
/* A finding with its article: cause, resolution, filled-in commands. */
json_t *mt_jfinding(struct mt_engine *e, const struct mt_finding *f);
/* The same with the article's commands and verify commands already filled
 * by the caller (a report group fills them from the whole group); takes
 * both references. NULL fills that list from the finding alone. */
json_t *mt_jfinding_filled(struct mt_engine *e, const struct mt_finding *f,
                           json_t *commands, json_t *verify);

/* Writes text for one format: control characters and markup made
 * harmless, cut at max bytes (mt_put_clean for a terminal). */
typedef void (*mt_put_text_fn)(FILE *out, const char *s, size_t max);
/* The filters as options: "--min-severity error, --mailbox jdoe". */
void mt_put_filters(FILE *out, const struct mt_filters *f, mt_put_text_fn put);
/* ", 3 mailboxes: a, b and 1 more": the problem's distinct mailboxes, at
 * most max named, in the order of its groups; nothing when it names none.
 * stamp (zeroed, one per person) is shared by the calls of one report. */
void mt_put_problem_mailboxes(FILE *out, const struct mt_report *r,
                              const struct mt_problem *pr, size_t *stamp,
                              size_t max, mt_put_text_fn put);
/* Every name of a mailbox, as a JSON array. */
json_t *mt_jperson_names(const struct mt_report *r, const struct mt_person *p);
/* Writes an article's commands or checks (label "Commands", "Check
 * afterwards") as a terminal format fills them. */
typedef void (*mt_put_templates_fn)(void *ctx, const char *label,
                                    const struct mt_strlist *templates);
/* The body of article a for a terminal (mt_article_render): "  What it
 * means: ...", "  Fix:" and its numbered steps, the commands and checks
 * through templates(ctx, ...), "  Risk: ...", "  References:". prose:
 * the placeholders of the prose in words ("the mailbox": a report), else
 * as written (kb show). */
void mt_put_text_article(FILE *out, const struct mt_article *a, int prose,
                         mt_put_templates_fn templates, void *ctx);
/* The strings of list as a JSON array. */
json_t *mt_jstrlist(const struct mt_strlist *list);
/* The templates of list filled from fields and context (as
 * mt_fill_template), as a JSON array. */
json_t *mt_jfilled(const struct mt_strlist *list,
                   const struct mt_fields *fields,
                   const struct mt_fields *context);
/* How a document format (HTML, Markdown) marks up an article's parts:
 * a label is label_open, the label, then label_close (prose), steps_open
 * (the fix) or commands_label_close (the commands). */
struct mt_doc_markup {
    mt_put_text_fn put; /* text, escaped for the format */
    const char *label_open, *label_close, *prose_end;
    /* The fix: step_open before each step, NULL to number them "1. " */
    const char *steps_open, *step_open, *step_close, *steps_close;
    /* The commands: their lines separated by code_sep, each followed by
     * code_end, written by code (a block with its own escaping); then
     * "replace X with your own values". */
    const char *commands_open, *commands_label_close, *commands_close;
    const char *code_sep, *code_end;
    void (*code)(FILE *out, const char *code);
    const char *replace_open, *replace_close;
};
/* The body of a's article for problem pr of a document (mt_article_render):
 * what it means, why, the fix, the commands for its first mailbox, the
 * risk. */
void mt_put_doc_article(FILE *out, const struct mt_report *r,
                        const struct mt_problem *pr,
                        const struct mt_article *a,
                        const struct mt_doc_markup *m);
void mt_emit_json(struct mt_engine *e, FILE *out);
void mt_emit_ndjson_summary(struct mt_engine *e, FILE *out);
int mt_emit_ndjson_finding(struct mt_engine *e, FILE *out,
                           const struct mt_finding *f);
void mt_emit_text(struct mt_engine *e, FILE *out, unsigned flags);
void mt_emit_html(struct mt_engine *e, FILE *out);
void mt_emit_csv(struct mt_engine *e, FILE *out);
void mt_emit_markdown(struct mt_engine *e, FILE *out);
/* Name matches and possible matches (emit_possible.c). */
void mt_put_name_note(FILE *out, const struct mt_engine *e,
                      const struct mt_finding *f);
void mt_put_possible_text(FILE *out, const struct mt_engine *e);
/* The "possible" array, or NULL when there is none. */
json_t *mt_jpossibles(const struct mt_engine *e);
void mt_emit_ndjson_possibles(const struct mt_engine *e, FILE *out);

/* The nearest-article index (similar.c), built on first use, once
 * whichever -j shard asks first; NULL when building it ran out of memory
 * (the caller counts that like any other allocation failure). */
const struct mt_similar *mt_engine_similar(const struct mt_engine *e);

#endif
