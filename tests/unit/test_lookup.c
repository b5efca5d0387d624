/* test_lookup.c: the help-desk lookup on the real patterns/ and kb/:
 * search ranking with typos and any word order, explain, show with near
 * ids, list by family. */
#include "lookup.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static struct mt_engine *engine(void)
{
    static struct mt_engine *e;

    if (e == NULL) {
        e = unit_shipped_engine();
    }
    return e;
}

static const char *top_id(const char *query)
{
    struct mt_search_hit hits[5];
    struct mt_engine *e = engine();
    int n = mt_lookup_search(e, query, hits, 5);

    return n > 0 ? e->kb.articles[hits[0].article].id : "(none)";
}

/* What a lookup wrote, read back from a temporary file. */
static char *captured(FILE *f)
{
    long n;
    char *s;

    fflush(f);
    n = ftell(f);
    s = calloc(1, (size_t)n + 1);
    rewind(f);
    if (s != NULL && fread(s, 1, (size_t)n, f) != (size_t)n) {
        s[0] = '\0';
    }
    fclose(f);
    return s;
}

TEST(lookup_search_large_item_first)
{
    ASSERT_TRUE(strstr(top_id("large item"), "large-item") != NULL);
}

TEST(lookup_search_typos)
{
    ASSERT_STR_EQ(top_id("larg itme limt"), "mrs-large-item-limit");
}

TEST(lookup_search_word_order)
{
    ASSERT_STR_EQ(top_id("limit item large"), top_id("large item limit"));
    ASSERT_STR_EQ(top_id("limit item large"), "mrs-large-item-limit");
}

TEST(lookup_search_exception_name)
{
    ASSERT_STR_EQ(top_id("TooManyLargeItemsPermanentException"),
                  "mrs-large-item-limit");
}

TEST(lookup_search_nothing)
{
    struct mt_search_hit hits[5];

    ASSERT_INT_EQ(mt_lookup_search(engine(), "xyzzy", hits, 5), 0);
    ASSERT_INT_EQ(mt_lookup_search(engine(), "the of and", hits, 5), 0);
}

TEST(lookup_search_scores_descend)
{
    struct mt_search_hit hits[10];
    int n = mt_lookup_search(engine(), "certificate expired", hits, 10), i;

    ASSERT_TRUE(n > 1);
    for (i = 1; i < n; i++) {
        ASSERT_TRUE(hits[i - 1].score >= hits[i].score);
    }
    ASSERT_TRUE(hits[0].score <= 100.0);
}

TEST(lookup_distance)
{
    ASSERT_INT_EQ(mt_lookup_distance("itme", "item", 2), 1);
    ASSERT_INT_EQ(mt_lookup_distance("limt", "limit", 2), 1);
    ASSERT_INT_EQ(mt_lookup_distance("large", "large", 2), 0);
    ASSERT_INT_EQ(mt_lookup_distance("abc", "xyz", 1), 2);
}

TEST(lookup_articles_have_family)
{
    struct mt_engine *e = engine();
    int i = mt_kb_find(&e->kb, "mrs-large-item");

    ASSERT_TRUE(i >= 0);
    if (i >= 0) {
        ASSERT_STR_EQ(e->kb.articles[i].family, "mrs");
    }
}

TEST(lookup_explain_pasted_message)
{
    FILE *f = tmpfile();
    char *out;
    int n = mt_engine_explain(engine(),
                              "Error: MapiExceptionNotFound: Unable to delete "
                              "mailbox. (hr=0x8004010f, ec=-2147221233)",
                              f, MT_FORMAT_TEXT);

    out = captured(f);
    ASSERT_TRUE(n > 0);
    ASSERT_TRUE(out != NULL && strstr(out, "MAPI_E_NOT_FOUND") != NULL);
    ASSERT_TRUE(out != NULL && strstr(out, "[mrs-source-cleanup]") != NULL);
    ASSERT_TRUE(out != NULL && strstr(out, "FACILITY_ITF") != NULL);
    free(out);
}

TEST(lookup_explain_unknown_code)
{
    FILE *f = tmpfile();
    char *out;
    int n = mt_engine_explain(engine(), "0xC0041234", f, MT_FORMAT_JSON);

    out = captured(f);
    ASSERT_INT_EQ(n, 0);
    ASSERT_TRUE(out != NULL && strstr(out, "\"facility\": 4") != NULL);
    free(out);
}

TEST(lookup_show_unknown_names_near_ids)
{
    FILE *f = tmpfile();
    int rc = mt_engine_kb_show(engine(), "mrs-large-itme", f, MT_FORMAT_TEXT);

    fclose(f);
    ASSERT_INT_EQ(rc, MT_EINPUT);
    ASSERT_TRUE(strstr(mt_engine_errmsg(engine()),
                       "no article 'mrs-large-itme'") != NULL);
    ASSERT_TRUE(strstr(mt_engine_errmsg(engine()), "mrs-large-item") !=
                NULL);
}

TEST(lookup_list_family)
{
    struct mt_engine *e = engine();
    FILE *f = tmpfile();
    int n = mt_engine_kb_list(e, "mrs", f, MT_FORMAT_TEXT), want = 0;
    size_t i;

    fclose(f);
    for (i = 0; i < e->kb.n; i++) {
        want += strcmp(e->kb.articles[i].family, "mrs") == 0;
    }
    ASSERT_INT_EQ(n, want);
    f = tmpfile();
    ASSERT_INT_EQ(mt_engine_kb_list(e, "no-such-family", f, MT_FORMAT_TEXT),
                  MT_EINPUT);
    fclose(f);
}
