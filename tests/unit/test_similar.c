/* test_similar.c: the nearest-article fallback on the real patterns/ and
 * kb/: CamelCase class names and error codes read as stable tokens, their
 * parts meeting the article's words, the margin rule, and possible
 * matches dropped beside a sure finding of the same article. */
#include "engine_private.h"
#include "similar.h"
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

static const char *nearest(const struct mt_similar *s, const char *text,
                           struct mt_similar_match *m)
{
    struct mt_similar_scratch w;
    struct mt_engine *e = engine();
    int a;

    mt_similar_scratch_init(&w, s);
    a = mt_similar_rank(s, &w, text, m);
    mt_similar_scratch_free(&w);
    return a >= 0 ? e->kb.articles[a].id : "(none)";
}

TEST(similar_class_names_and_codes_are_stable)
{
    const struct mt_similar *s = mt_engine_similar(engine());

    ASSERT_TRUE(mt_similar_stable(s, "toomanylargeitemspermanentexception"));
    ASSERT_TRUE(mt_similar_stable(s, "hcw8001"));
    ASSERT_TRUE(!mt_similar_stable(s, "mailbox"));
    ASSERT_TRUE(!mt_similar_stable(s, "large"));
}

/* The class name split at its humps meets the same article as the
 * words written out (which article that is depends on the knowledge).
 * The class must not be a kb/names entry: a name is indexed whole for its
 * own article and would win on that, not on its humps. */
TEST(similar_camelcase_parts_meet_words)
{
    const struct mt_similar *s = mt_engine_similar(engine());
    struct mt_similar_match a, b;

    ASSERT_STR_EQ(nearest(s, "Error: TooManyLargeItemsPermanentException "
                             "while moving",
                          &a),
                  "mrs-large-item-limit");
    ASSERT_STR_EQ(nearest(s, "MigrationCSVRowValidationException", &a),
                  nearest(s, "migration csv row validation", &b));
    ASSERT_TRUE(a.article >= 0);
}

TEST(similar_margin_rule)
{
    struct mt_engine *e = engine();
    struct mt_similar_tuning t = mt_similar_default_tuning;
    struct mt_similar *open, *strict;
    struct mt_similar_scratch w;
    struct mt_similar_match m;
    const char *text = "The job encountered too many transient failures "
                       "and is quitting";
    double score;

    t.threshold = 0.0;
    t.margin = 0.0;
    open = mt_similar_new_tuned(&e->patterns, &e->kb, &e->names, &t);
    t.margin = 1.0; /* no article can lead by a whole cosine */
    strict = mt_similar_new_tuned(&e->patterns, &e->kb, &e->names, &t);
    mt_similar_scratch_init(&w, open);
    ASSERT_TRUE(mt_similar_rank(open, &w, text, &m) >= 0);
    ASSERT_TRUE(m.runner_up >= 0 && m.runner_up != m.article);
    ASSERT_TRUE(m.runner_up_score <= m.score);
    ASSERT_INT_EQ(mt_similar_possible(open, &w, text, &score), m.article);
    ASSERT_INT_EQ(mt_similar_possible(strict, &w, text, &score), -1);
    ASSERT_TRUE(score == 0.0);
    mt_similar_scratch_free(&w);
    mt_similar_free(open);
    mt_similar_free(strict);
}

TEST(similar_healthy_line_is_not_near)
{
    struct mt_similar_scratch w;
    double score;
    const struct mt_similar *s = mt_engine_similar(engine());

    mt_similar_scratch_init(&w, s);
    ASSERT_INT_EQ(mt_similar_possible(s, &w,
                                      "2024.01.31 20:44:19.662 10268 "
                                      "[Client=UX, Page=Configuring, "
                                      "Workflow=Hybrid, Task=Initial, "
                                      "Phase=Check, Thread=10] FINISH "
                                      "Time=181760.1ms",
                                      &score),
                  -1);
    mt_similar_scratch_free(&w);
}

TEST(possibles_drop_found_articles)
{
    struct mt_possibles l;
    unsigned char found[4] = {0, 1, 0, 0};

    memset(&l, 0, sizeof(l));
    ASSERT_INT_EQ(mt_possibles_add(&l, 1, 0.3, "a", 1, "x", 1), 0);
    ASSERT_INT_EQ(mt_possibles_add(&l, 2, 0.3, "a", 2, "y", 1), 0);
    ASSERT_INT_EQ(mt_possibles_add(&l, 1, 0.4, "a", 3, "z", 1), 0);
    mt_possibles_drop_found(&l, found);
    ASSERT_INT_EQ(l.n, 1);
    ASSERT_INT_EQ(l.items[0].article, 2);
    ASSERT_INT_EQ(l.lines, 1);
    mt_possibles_free(&l);
}
