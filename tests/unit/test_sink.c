/* test_sink.c: the finding callback of the public header. An embedder gets
 * every finding as it is found, with its article, severity, origin,
 * mailbox and captured fields; the same sequence whether the folder is
 * scanned on one thread or several (the merge delivers in input order);
 * and as many findings as the report counts. */
#include "migtriage.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seen {
    char lines[256][256];
    int n;
    int with_article;
};

static void on_finding(void *ctx, const struct mt_finding_info *f)
{
    struct seen *s = ctx;
    char fields[128] = "";
    size_t i, used = 0;

    for (i = 0; i < f->nfields && used < sizeof(fields); i++) {
        used += (size_t)snprintf(fields + used, sizeof(fields) - used,
                                 "%s=%s;", f->field_names[i],
                                 f->field_values[i]);
    }
    if (f->article != NULL && f->title != NULL && f->signature != NULL) {
        s->with_article++;
    }
    if (s->n < 256) {
        snprintf(s->lines[s->n], sizeof(s->lines[0]), "%s|%d|%s:%llu|%s|%s",
                 f->signature, (int)f->severity, f->origin,
                 (unsigned long long)f->line, f->mailbox ? f->mailbox : "-",
                 fields);
    }
    s->n++;
}

static void scan_folder(struct seen *s, unsigned jobs)
{
    struct mt_engine *e = unit_shipped_engine();

    memset(s, 0, sizeof(*s));
    mt_engine_set_jobs(e, jobs);
    mt_engine_set_finding_cb(e, on_finding, s);
    mt_engine_scan_path(e, MT_TEST_DATA "/fixtures/folder");
    mt_engine_free(e);
}

TEST(sink_callback_fields)
{
    static const char text[] =
        "Identity : jdoe@contoso.com\r\n"
        "Message  : 1/19/2015 2:07:44 PM [BY2PR02MB315] A large item was "
        "encountered: Item (IPM.Note) Subject:\"77 mb\", Size: 77.51 MB "
        "(81,278,846 bytes), Folder:\"Inbox\"\r\n";
    struct mt_engine *e = unit_shipped_engine();
    struct seen *s = calloc(1, sizeof(*s));

    mt_engine_set_finding_cb(e, on_finding, s);
    mt_engine_scan_memory(e, "report.txt", text, strlen(text));
    ASSERT_INT_EQ(s->n, 1);
    ASSERT_INT_EQ(s->with_article, 1);
    ASSERT_TRUE(strstr(s->lines[0], "report.txt:2") != NULL);
    ASSERT_TRUE(strstr(s->lines[0], "|jdoe@contoso.com|") != NULL);
    ASSERT_TRUE(strstr(s->lines[0], "bytes=81,278,846;") != NULL);
    mt_engine_free(e);
    free(s);
}

TEST(sink_same_sequence_any_jobs)
{
    struct seen *one = calloc(1, sizeof(*one)),
                *three = calloc(1, sizeof(*three));
    int i;

    scan_folder(one, 1);
    scan_folder(three, 3);
    ASSERT_TRUE(one->n > 0);
    ASSERT_INT_EQ(one->n, three->n);
    for (i = 0; i < one->n && i < three->n && i < 256; i++) {
        ASSERT_STR_EQ(one->lines[i], three->lines[i]);
    }
    free(one);
    free(three);
}
