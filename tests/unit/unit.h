/* unit.h: a minimal test harness. TEST(name) registers a function; the
 * mt_unit binary runs one test by name (ctest adds one test per TEST line)
 * or all of them. Asserts print both values and where they failed. */
#ifndef MT_UNIT_H
#define MT_UNIT_H

#include <stdio.h>
#include <string.h>

typedef void (*unit_fn)(void);
void unit_register(const char *name, unit_fn fn);

struct mt_engine;
/* A new engine loaded with the shipped patterns/ and kb/ (unit_kb.c); a
 * load failure is counted as a failure of the calling test. */
struct mt_engine *unit_shipped_engine(void);
extern int unit_failures;
/* Removes every file (and empty folder) of dir, then dir (unit_files.c). */
void unit_remove_dir(const char *dir);

#define TEST(name)                                                         \
    static void test_##name(void);                                         \
    __attribute__((constructor)) static void register_##name(void)         \
    {                                                                      \
        unit_register(#name, test_##name);                                 \
    }                                                                      \
    static void test_##name(void)

#define UNIT_FAIL(...)                                                     \
    do {                                                                   \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                    \
        fprintf(stderr, __VA_ARGS__);                                      \
        fputc('\n', stderr);                                               \
        unit_failures++;                                                   \
    } while (0)

#define ASSERT_TRUE(c)                                                     \
    do {                                                                   \
        if (!(c))                                                          \
            UNIT_FAIL("expected true: %s", #c);                            \
    } while (0)

#define ASSERT_INT_EQ(a, b)                                                \
    do {                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                \
        if (a_ != b_)                                                      \
            UNIT_FAIL("%s == %s: %lld != %lld", #a, #b, a_, b_);           \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                \
    do {                                                                   \
        const char *a_ = (a), *b_ = (b);                                   \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)               \
            UNIT_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,                \
                      a_ ? a_ : "(null)", b_ ? b_ : "(null)");             \
    } while (0)

#endif
