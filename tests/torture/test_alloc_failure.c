/* test_alloc_failure.c: regression tests for allocation failures, built
 * with the torture util.c (MT_TORTURE), which can fail the kth allocation
 * from now. Each test fails every allocation of one operation in turn and
 * checks that nothing half-made is left for a later call to trip on: run
 * it under ASan, which fills fresh memory with 0xbe, so a stale index or a
 * NULL that should not be there crashes. */
#include "../unit/unit.h"

#include <stdint.h>
#include <stdlib.h>

#include "aggregate.h"
#include "mailboxes.h"
#include "migtriage.h"
#include "util.h"

/* Most allocations one operation below makes; past it, nothing fails. */
#define MAX_POINT 64

/* Defect 9: a name whose first registration failed after the name was
 * added (its op or its slot could not be allocated) must not leave the
 * name pointing at an op that was never written. -j scans log mailboxes
 * this way. */
TEST(mailbox_log_add_fails_then_repeats)
{
    unsigned long long k;

    for (k = 1; k <= MAX_POINT; k++) {
        struct mt_mailbox_log log;
        struct mt_mailboxes reg;
        size_t i;
        int first;

        mt_mailbox_log_init(&log, 100);
        mt_mailboxes_init(&reg, 100);
        for (i = 0; i < 7; i++) { /* fill last[] to its first size */
            char name[16];
            snprintf(name, sizeof(name), "user%zu", i);
            ASSERT_INT_EQ(mt_mailbox_log_add(&log, name, "Failed", NULL,
                                             NULL, NULL, -1), 0);
        }
        mt_torture_fail_after(k);
        first = mt_mailbox_log_add(&log, "jdoe", "Failed", "StalledDueToX",
                                   "Wave1", NULL, 2);
        mt_torture_fail_after(0);
        /* The same name again, then with another status. */
        ASSERT_INT_EQ(mt_mailbox_log_add(&log, "jdoe", "Failed",
                                         "StalledDueToX", "Wave1", NULL, 2), 0);
        ASSERT_INT_EQ(mt_mailbox_log_add(&log, "jdoe", "Completed", NULL,
                                         "Wave1", NULL, -1), 0);
        ASSERT_INT_EQ(mt_mailbox_log_replay(&log, &reg), 0);
        ASSERT_INT_EQ(reg.n, 8);
        for (i = 0; i < reg.n; i++) {
            if (strcmp(reg.items[i].name, "jdoe") == 0) {
                ASSERT_STR_EQ(reg.items[i].status, "Completed");
                ASSERT_INT_EQ(reg.items[i].findings, first == 0 ? 2 : 1);
            }
        }
        mt_mailbox_log_free(&log);
        mt_mailboxes_free(&reg);
    }
}

static void make_finding(struct mt_finding *f, const char *user)
{
    memset(f, 0, sizeof(*f));
    f->sig = 3;
    f->severity = MT_SEV_ERROR;
    f->origin = mt_strdup("wave1/report.txt");
    f->line = 51;
    f->message = mt_strdup("Error: too many large items");
    mt_fields_set(&f->context, "mailbox", "jdoe", 4, 0);
    mt_fields_set(&f->fields, "user", user, strlen(user), 0);
}

/* Defect 8: an occurrence kept as an example while the copy of its origin
 * fails must not be kept with a NULL origin (the report printed it). */
TEST(aggregate_example_origin_never_null)
{
    unsigned long long k;

    for (k = 1; k <= MAX_POINT; k++) {
        struct mt_aggregate agg, merged;
        struct mt_finding f;
        size_t i;
        int j;

        mt_aggregate_init(&agg, 100);
        mt_aggregate_init(&merged, 100);
        make_finding(&f, "a");
        ASSERT_INT_EQ(mt_aggregate_add(&merged, &f), 0);
        make_finding(&f, "a");
        mt_torture_fail_after(k);
        mt_aggregate_add(&agg, &f); /* a group */
        make_finding(&f, "b");
        mt_aggregate_add(&agg, &f); /* an example of it */
        mt_aggregate_merge(&merged, &agg); /* folds the examples */
        mt_torture_fail_after(0);
        for (i = 0; i < merged.n; i++) {
            const struct mt_group *g = &merged.groups[i];
            ASSERT_TRUE(g->first.origin != NULL);
            ASSERT_TRUE(g->last_origin != NULL);
            for (j = 0; j < g->nexamples; j++) {
                ASSERT_TRUE(g->examples[j].origin != NULL);
            }
        }
        mt_aggregate_free(&merged);
    }
}

/* Defect 7: a signature whose article id could not be copied was kept,
 * and the load looked it up with a NULL id. Every allocation of a load
 * fails in turn (the torture test does the same through the CLI); the
 * load must come back, and say out of memory when a failure happened. */
TEST(engine_load_fails_at_every_allocation)
{
    char patterns[4096], kb[4096];
    unsigned long long k, total = 0;

    snprintf(patterns, sizeof(patterns), "%s/small/patterns", MT_TORTURE_DIR);
    snprintf(kb, sizeof(kb), "%s/small/kb", MT_TORTURE_DIR);
    for (k = 1; total == 0 || k <= total; k++) {
        unsigned long long before = mt_alloc_failures();
        struct mt_engine *e;
        int rc;

        mt_torture_fail_after(k);
        e = mt_engine_new();
        if (e == NULL) {
            ASSERT_TRUE(mt_alloc_failures() != before);
            continue;
        }
        rc = mt_engine_load(e, patterns, kb);
        mt_torture_fail_after(0);
        if (mt_alloc_failures() == before) {
            total = k; /* k was past the load's last allocation */
            ASSERT_INT_EQ(rc, MT_OK);
        } else {
            ASSERT_INT_EQ(rc, MT_ENOMEM);
            ASSERT_TRUE(mt_engine_out_of_memory(e));
        }
        mt_engine_free(e);
    }
    ASSERT_TRUE(total > 100);
}

/* Writing a report fails at every allocation in turn, in each format: it
 * must say MT_ENOMEM exactly when something failed, and not trip over what
 * it could not allocate (the JSON report once sorted a NULL array). */
TEST(report_fails_at_every_allocation)
{
    static const enum mt_format formats[] = {MT_FORMAT_TEXT, MT_FORMAT_JSON,
                                             MT_FORMAT_NDJSON};
    char patterns[4096], kb[4096], input[4096];
    size_t i;

    snprintf(patterns, sizeof(patterns), "%s/small/patterns", MT_TORTURE_DIR);
    snprintf(kb, sizeof(kb), "%s/small/kb", MT_TORTURE_DIR);
    snprintf(input, sizeof(input),
             "%s/../cases/autod-helpdesk-paste/stdin", MT_TORTURE_DIR);
    for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        unsigned long long k, total = 0;

        for (k = 1; total == 0; k++) {
            struct mt_engine *e = mt_engine_new();
            unsigned long long before;
            FILE *out = fopen("/dev/null", "w");
            int rc;

            ASSERT_TRUE(e != NULL && out != NULL);
            ASSERT_INT_EQ(mt_engine_load(e, patterns, kb), MT_OK);
            ASSERT_INT_EQ(mt_engine_scan_path(e, input), MT_OK);
            ASSERT_INT_EQ(mt_engine_worst_severity(e), MT_SEV_WARNING);
            before = mt_alloc_failures();
            mt_torture_fail_after(k);
            rc = mt_engine_write_report(e, out, formats[i], 0);
            mt_torture_fail_after(0);
            if (mt_alloc_failures() == before) {
                total = k;
                ASSERT_INT_EQ(rc, MT_OK);
            } else {
                ASSERT_INT_EQ(rc, MT_ENOMEM);
            }
            fclose(out);
            mt_engine_free(e);
        }
        ASSERT_TRUE(total > 5);
    }
}
