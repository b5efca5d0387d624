/* test_merge.c: the merges of a parallel scan (-j) give what adding the
 * same things one by one gives: finding groups, unknown clusters and
 * mailbox registrations, cut into inputs at random places, with bounds
 * reached across inputs. */
#include "aggregate.h"
#include "mailboxes.h"
#include "unit.h"
#include "unknown.h"

#include "util.h"

#include <stdio.h>
#include <string.h>

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(rng_state >> 33) % n;
}

/* The k-th finding of a run: few signatures, mailboxes and field values,
 * so groups repeat across inputs and examples fill up. */
static void make_finding(struct mt_finding *f, unsigned k, unsigned input)
{
    static const char *const mailboxes[] = {NULL, "alice", "bob", "carol"};
    const char *mbx = mailboxes[rnd(4)];
    char v[16], origin[32], message[32];

    memset(f, 0, sizeof(*f));
    f->sig = (int)rnd(3);
    f->severity = f->sig;
    snprintf(origin, sizeof(origin), "in%u.txt", input);
    snprintf(message, sizeof(message), "message %u", k);
    f->origin = mt_strdup(origin);
    f->message = mt_strdup(message);
    f->line = k;
    snprintf(v, sizeof(v), "%u", rnd(6));
    mt_fields_set(&f->fields, "item", v, strlen(v), 0);
    if (mbx != NULL) {
        mt_fields_set(&f->context, "mailbox", mbx, strlen(mbx), 0);
    }
}

static void same_groups(const struct mt_aggregate *a,
                        const struct mt_aggregate *b)
{
    size_t i;
    int s, k;

    ASSERT_INT_EQ(a->n, b->n);
    ASSERT_INT_EQ(a->findings, b->findings);
    ASSERT_INT_EQ(a->overflow, b->overflow);
    for (s = 0; s < 4; s++) {
        ASSERT_INT_EQ(a->by_severity[s], b->by_severity[s]);
    }
    for (i = 0; i < a->n && i < b->n; i++) {
        const struct mt_group *x = &a->groups[i], *y = &b->groups[i];
        const char *mx = mt_finding_mailbox(&x->first);
        const char *my = mt_finding_mailbox(&y->first);
        ASSERT_INT_EQ(x->first.sig, y->first.sig);
        ASSERT_STR_EQ(mx ? mx : "-", my ? my : "-");
        ASSERT_STR_EQ(x->first.origin, y->first.origin);
        ASSERT_STR_EQ(x->first.message, y->first.message);
        ASSERT_INT_EQ(x->count, y->count);
        ASSERT_INT_EQ(x->seq, y->seq);
        ASSERT_STR_EQ(x->last_origin, y->last_origin);
        ASSERT_INT_EQ(x->last_line, y->last_line);
        ASSERT_INT_EQ(x->nexamples, y->nexamples);
        for (k = 0; k < x->nexamples && k < y->nexamples; k++) {
            ASSERT_STR_EQ(x->examples[k].origin, y->examples[k].origin);
            ASSERT_INT_EQ(x->examples[k].line, y->examples[k].line);
            ASSERT_STR_EQ(x->examples[k].message, y->examples[k].message);
            ASSERT_TRUE(mt_fields_hash(&x->examples[k].fields) ==
                        mt_fields_hash(&y->examples[k].fields));
        }
    }
}

static void run_aggregate(unsigned long long seed, uint64_t max_groups,
                          unsigned max_input)
{
    struct mt_aggregate seq, par, shard;
    unsigned k = 0, input;

    rng_state = seed;
    mt_aggregate_init(&seq, max_groups);
    mt_aggregate_init(&par, max_groups);
    for (input = 0; input < 60; input++) {
        unsigned n = 1 + rnd(max_input), i;
        mt_aggregate_init(&shard, max_groups);
        for (i = 0; i < n; i++, k++) {
            struct mt_finding f, copy;
            make_finding(&f, k, input);
            ASSERT_INT_EQ(mt_finding_copy(&copy, &f), 0);
            ASSERT_INT_EQ(mt_aggregate_add(&seq, &f), 0);
            ASSERT_INT_EQ(mt_aggregate_add(&shard, &copy), 0);
        }
        /* A shard that overflowed is scanned again, not merged. */
        ASSERT_INT_EQ(shard.overflow, 0);
        ASSERT_INT_EQ(mt_aggregate_merge(&par, &shard), 0);
    }
    same_groups(&seq, &par);
    mt_aggregate_free(&seq);
    mt_aggregate_free(&par);
}

TEST(merge_groups_as_sequential)
{
    unsigned long long seed;

    for (seed = 1; seed <= 20; seed++) {
        run_aggregate(seed, 0, 30);
    }
}

TEST(merge_groups_bound_across_inputs)
{
    unsigned long long seed;

    /* Inputs of at most four findings never fill a shard of five groups;
     * the engine's five fill up across inputs. */
    for (seed = 1; seed <= 20; seed++) {
        run_aggregate(seed, 5, 4);
    }
}

TEST(merge_unknown_as_sequential)
{
    static const char *const texts[] = {
        "Error 42 in 'x'", "Error 7 in 'y'", "failed to open 0x8004",
        "Exception at line 3", "cannot reach host", "fatal: disk 2",
        "Unable to connect: 1"};
    struct mt_unknown seq, par, shard;
    unsigned input, k = 0;
    size_t i;

    rng_state = 99;
    mt_unknown_init(&seq, 3);
    mt_unknown_init(&par, 3);
    for (input = 0; input < 40; input++) {
        unsigned n = 1 + rnd(2), j;
        char origin[32];
        snprintf(origin, sizeof(origin), "in%u.txt", input);
        mt_unknown_init(&shard, 3);
        for (j = 0; j < n; j++, k++) {
            const char *t = texts[rnd(7)];
            mt_unknown_add(&seq, t, strlen(t), origin, k);
            mt_unknown_add(&shard, t, strlen(t), origin, k);
        }
        ASSERT_INT_EQ(shard.overflow, 0);
        mt_unknown_merge(&par, &shard);
    }
    ASSERT_INT_EQ(seq.n, par.n);
    ASSERT_INT_EQ(seq.lines, par.lines);
    ASSERT_INT_EQ(seq.overflow, par.overflow);
    ASSERT_TRUE(seq.overflow > 0);
    for (i = 0; i < seq.n && i < par.n; i++) {
        ASSERT_STR_EQ(seq.clusters[i].template_text,
                      par.clusters[i].template_text);
        ASSERT_STR_EQ(seq.clusters[i].example, par.clusters[i].example);
        ASSERT_STR_EQ(seq.clusters[i].origin, par.clusters[i].origin);
        ASSERT_INT_EQ(seq.clusters[i].line, par.clusters[i].line);
        ASSERT_INT_EQ(seq.clusters[i].count, par.clusters[i].count);
        ASSERT_INT_EQ(seq.clusters[i].seq, par.clusters[i].seq);
    }
    mt_unknown_free(&seq);
    mt_unknown_free(&par);
}

static void same_mailboxes(const struct mt_mailboxes *a,
                           const struct mt_mailboxes *b)
{
    size_t i;

    ASSERT_INT_EQ(a->n, b->n);
    ASSERT_INT_EQ(a->overflow, b->overflow);
    for (i = 0; i < a->n && i < b->n; i++) {
        const struct mt_mailbox *x = &a->items[i], *y = &b->items[i];
        ASSERT_STR_EQ(x->name, y->name);
        ASSERT_STR_EQ(x->status ? x->status : "-", y->status ? y->status : "-");
        ASSERT_STR_EQ(x->batch ? x->batch : "-", y->batch ? y->batch : "-");
        ASSERT_STR_EQ(x->error ? x->error : "-", y->error ? y->error : "-");
        ASSERT_INT_EQ(x->findings, y->findings);
        ASSERT_INT_EQ(x->worst, y->worst);
    }
}

TEST(merge_mailboxes_as_sequential)
{
    static const char *const names[] = {"alice", "bob", "carol", "dave",
                                        "erin"};
    static const char *const statuses[] = {NULL, "Failed", "Completed",
                                           "InProgress"};
    static const char *const details[] = {NULL, "Failed", "FailedOther",
                                          "CopyingMessages"};
    static const char *const batches[] = {NULL, "wave1", "wave2"};
    struct mt_mailboxes seq, par;
    struct mt_mailbox_log log;
    unsigned input, nm = 0, st = 0, dt = 0, bt = 0;

    rng_state = 7;
    mt_mailboxes_init(&seq, 4); /* the fifth name overflows */
    mt_mailboxes_init(&par, 4);
    for (input = 0; input < 80; input++) {
        unsigned n = 1 + rnd(12), j;
        mt_mailbox_log_init(&log, 100);
        for (j = 0; j < n; j++) {
            /* Repeats of one registration are the common case. */
            unsigned same = rnd(3) != 0 && j > 0;
            int sev = (int)rnd(5) - 1;
            struct mt_mailbox *mb;
            if (!same) {
                nm = rnd(5);
                st = rnd(4);
                dt = rnd(4);
                bt = rnd(3);
            }
            mb = mt_mailboxes_register(&seq, names[nm], statuses[st],
                                       details[dt], batches[bt],
                                       batches[(bt + 1) % 3]);
            if (mb != NULL && sev >= 0) {
                mb->findings++;
                if (sev > mb->worst) {
                    mb->worst = sev;
                }
            }
            ASSERT_INT_EQ(mt_mailbox_log_add(&log, names[nm], statuses[st],
                                             details[dt], batches[bt],
                                             batches[(bt + 1) % 3], sev),
                          0);
        }
        ASSERT_INT_EQ(log.overflow, 0);
        ASSERT_INT_EQ(mt_mailbox_log_replay(&log, &par), 0);
        mt_mailbox_log_free(&log);
    }
    ASSERT_TRUE(seq.overflow > 0);
    same_mailboxes(&seq, &par);
    mt_mailboxes_free(&seq);
    mt_mailboxes_free(&par);
}
