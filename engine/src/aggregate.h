/* aggregate.h: findings and their grouping. A finding is one match in one
 * record; findings of the same signature and mailbox form a group with a
 * count, its first and last origin, and a few examples whose captured
 * fields differ (each large item, each domain), so a million lines of one
 * problem cost one group. */
#ifndef MT_AGGREGATE_H
#define MT_AGGREGATE_H

#include <stdint.h>

#include "fields.h"
#include "mt_limits.h"

struct mt_finding {
    int sig;       /* signature index */
    int severity;  /* enum mt_severity */
    char *origin;  /* document origin (archive path joined with '!') */
    uint64_t line;
    char *message; /* the record's text */
    struct mt_fields fields;
    struct mt_fields context;
};

void mt_finding_clear(struct mt_finding *f);
/* The mailbox a context names: its mailbox (Identity, an address),
 * else PrimarySmtpAddress, Alias, DisplayName, else NULL. */
const char *mt_context_mailbox(const struct mt_fields *ctx);
/* Context names that say which mailbox, or when (status, timestamp):
 * they belong to one object and are never shared with another. */
int mt_context_per_mailbox(const char *name);
/* Whether the mailbox a finding is about is the one its own text names
 * (its "mailbox" capture), not one its object named. */
int mt_finding_names_own_mailbox(const struct mt_finding *f);
/* Adds the enclosing object's context to a finding's, for the names the
 * finding lacks. A finding that names its mailbox in its own text keeps
 * that name (when its record gave none), and when the object names another
 * mailbox (a transcript: an error about 'Carol Jones' below the
 * Format-List of Alice) it takes none of the object's per-mailbox names:
 * her status is not Carol's. Returns 0, or -1 when out of memory. */
int mt_finding_merge_object(struct mt_finding *f,
                            const struct mt_fields *object);
/* The mailbox a finding is about (mt_context_mailbox of its context). */
const char *mt_finding_mailbox(const struct mt_finding *f);

/* A later occurrence whose captured fields differ from the ones kept so
 * far (another large item, another domain). */
struct mt_example {
    char *origin;
    uint64_t line;
    char *message;
    struct mt_fields fields;
};

struct mt_group {
    struct mt_finding first; /* the first occurrence, owned */
    struct mt_example examples[MT_MAX_EXAMPLES];
    int nexamples;
    unsigned long long seen[MT_MAX_EXAMPLES + 1]; /* field hashes kept */
    char *last_origin;
    uint64_t last_line;
    uint64_t count;
    uint64_t seq; /* order of first occurrence */
    unsigned long long key;
};

struct mt_aggregate {
    struct mt_group *groups;
    size_t n;
    size_t alloc;
    size_t *table; /* open addressing: group index + 1, 0 = empty */
    size_t table_size;
    uint64_t max_groups;
    uint64_t findings;         /* every occurrence */
    uint64_t overflow;         /* occurrences not grouped (limit reached) */
    uint64_t by_severity[4];
};

void mt_aggregate_init(struct mt_aggregate *a, uint64_t max_groups);
/* Adds one occurrence; takes ownership of f's contents (f is cleared).
 * Returns 0, or -1 when out of memory. */
int mt_aggregate_add(struct mt_aggregate *a, struct mt_finding *f);
/* Adds the groups of src, which holds the findings of inputs that come
 * after everything in a, with the same result as adding those findings to
 * a one by one: counts, first and last origins, the first examples. src
 * must not have overflowed (its groups would be incomplete); it is emptied.
 * Returns 0, or -1 when out of memory. */
int mt_aggregate_merge(struct mt_aggregate *a, struct mt_aggregate *src);
void mt_aggregate_free(struct mt_aggregate *a);

/* Deep copy of a finding into dst (cleared first). Returns 0 or -1. */
int mt_finding_copy(struct mt_finding *dst, const struct mt_finding *src);

/* Findings in the order found (a worker keeps one input's findings for
 * the NDJSON stream). */
struct mt_findings {
    struct mt_finding *items;
    size_t n;
    size_t alloc;
};

/* Appends a copy of f. Returns 0, or -1 when out of memory. */
int mt_findings_push_copy(struct mt_findings *l, const struct mt_finding *f);
void mt_findings_free(struct mt_findings *l);

#endif
