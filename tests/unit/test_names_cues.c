/* test_names_cues.c: the generalising parts of the name layer on the
 * shipped kb/names: folded spellings, cue rules (a generic name and the
 * cmdlet, error id or component beside it) and the resemblance
 * signatures every article gets. */
#include "engine_private.h"
#include "names.h"
#include "unit.h"

#include <string.h>

static struct mt_engine *engine(void)
{
    static struct mt_engine *e;

    if (e == NULL) {
        e = unit_shipped_engine();
    }
    return e;
}

static const char *folded(const char *text)
{
    const struct mt_names *nm = &engine()->names;
    size_t start, len;
    int k = mt_names_find_folded(nm, text, strlen(text), &start, &len);

    return k >= 0 ? nm->v[k].name : "(none)";
}

TEST(names_folded_spelling_finds_the_name)
{
    ASSERT_STR_EQ(folded("StatusDetail : StalledDueTo_TargetDiskLatency"),
                  "StalledDueToTarget_DiskLatency");
    ASSERT_STR_EQ(folded("Error: Microsoft.Exchange.Migration."
                         "TOOMANYLARGEITEMSPERMANENTEXCEPTION_"),
                  "TooManyLargeItemsPermanentException");
    /* A lower-case word is not an identifier: no guess. */
    ASSERT_STR_EQ(folded("stalledduetotarget diskLatency"), "(none)");
    ASSERT_STR_EQ(folded("no names here at all"), "(none)");
}

static const struct mt_cue *cue(const char *text, size_t *start)
{
    const struct mt_names *nm = &engine()->names;
    size_t len;
    int c = mt_names_cue(nm, text, strlen(text), start, &len);

    return c >= 0 ? &nm->cues[c] : NULL;
}

TEST(names_cue_decides_a_generic_name)
{
    const struct mt_cue *c;
    size_t at;

    c = cue("+ FullyQualifiedErrorId : NamedParameterNotFound,"
            "Connect-ExchangeOnline",
            &at);
    ASSERT_TRUE(c != NULL);
    ASSERT_TRUE(c->article == NULL); /* the name's own article is wrong */
    ASSERT_INT_EQ((int)at, 26);
    ASSERT_TRUE(cue("+ FullyQualifiedErrorId : NamedParameterNotFound,"
                    "New-MigrationBatch",
                    &at) == NULL);
    c = cue("+ FullyQualifiedErrorId : AccessDenied,PSSessionOpenFailed", &at);
    ASSERT_TRUE(c != NULL && c->article != NULL);
    ASSERT_STR_EQ(c->article, "exo-rps-access-denied");
    /* A phrase name, a cue ending in '*', any case. */
    c = cue("method NOT found: 'Microsoft.Identity.Client.Broker.X'", &at);
    ASSERT_TRUE(c != NULL && c->article != NULL);
    ASSERT_STR_EQ(c->article, "exo-msal-conflict");
    /* Whole words only. */
    ASSERT_TRUE(cue("XAccessDenied,PSSessionOpenFailedX", &at) == NULL);
}

TEST(names_every_article_has_a_resemblance_signature)
{
    struct mt_engine *e = engine();
    size_t a;

    ASSERT_TRUE(e->names.similar_sig != NULL);
    for (a = 0; a < e->kb.n; a++) {
        const struct mt_signature *s =
            &e->patterns.sigs[e->names.similar_sig[a]];
        ASSERT_INT_EQ(s->derived, 2);
        ASSERT_INT_EQ(s->article_index, (int)a);
        ASSERT_TRUE(s->object_fallback);
        ASSERT_TRUE(strncmp(s->id, "similar.", 8) == 0);
    }
}
