/* main.c: runs the unit tests registered with TEST(). */
#include "unit.h"

#include <stdlib.h>

#define MAX_TESTS 512

struct unit_test {
    const char *name;
    unit_fn fn;
};

static struct unit_test tests[MAX_TESTS];
static int ntests;
int unit_failures;

void unit_register(const char *name, unit_fn fn)
{
    if (ntests < MAX_TESTS) {
        tests[ntests].name = name;
        tests[ntests].fn = fn;
        ntests++;
    }
}

int main(int argc, char **argv)
{
    int i, ran = 0;

    for (i = 0; i < ntests; i++) {
        if (argc > 1 && strcmp(argv[1], tests[i].name) != 0) {
            continue;
        }
        tests[i].fn();
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "");
        return 2;
    }
    return unit_failures ? 1 : 0;
}
