/* Commands filled with values from logs: a value must not be able to run
 * anything when the command is pasted into PowerShell (issue 8), and
 * mailbox names linked across inputs are one mailbox (identity.c). */
#include <string.h>

#include "engine_private.h"
#include "identity.h"
#include "unit.h"
#include "util.h"

static char *fill1(const char *tmpl, const char *name, const char *value)
{
    struct mt_fields f, ctx;
    char *out;

    memset(&f, 0, sizeof(f));
    memset(&ctx, 0, sizeof(ctx));
    mt_fields_set(&f, name, value, strlen(value), 0);
    out = mt_fill_command(tmpl, NULL, &f, &ctx, NULL);
    mt_fields_clear(&f);
    return out;
}

#define EXPECT_FILL(tmpl, value, want)                                     \
    do {                                                                   \
        char *got_ = fill1(tmpl, "mailbox", value);                        \
        ASSERT_STR_EQ(got_, want);                                         \
        mt_free(got_);                                                     \
    } while (0)

TEST(fill_single_quoted_doubles_quotes)
{
    EXPECT_FILL("Get-Mailbox -Identity '{mailbox}'", "O'Brien",
                "Get-Mailbox -Identity 'O''Brien'");
    /* Typographic quotes end a PowerShell string too: doubled as well. */
    EXPECT_FILL("Get-Mailbox -Identity '{mailbox}'", "O\xe2\x80\x99X",
                "Get-Mailbox -Identity 'O\xe2\x80\x99\xe2\x80\x99X'");
    /* $( ), backticks and ; are literal inside single quotes. */
    EXPECT_FILL("Get-Mailbox -Identity '{mailbox}'",
                "$(Remove-Item C:\\ -Recurse)`;x",
                "Get-Mailbox -Identity '$(Remove-Item C:\\ -Recurse)`;x'");
    /* A newline cannot end the line: control characters are dropped. */
    EXPECT_FILL("Get-Mailbox -Identity '{mailbox}'", "a\r\nRemove-Item x",
                "Get-Mailbox -Identity 'aRemove-Item x'");

}

TEST(fill_double_quoted_refuses_expansion)
{
    const char *t = "Get-ADUser -Filter \"UserPrincipalName -eq '{mailbox}'\"";
    EXPECT_FILL(t, "jdoe@contoso.com",
                "Get-ADUser -Filter \"UserPrincipalName -eq "
                "'jdoe@contoso.com'\"");
    /* Inside "...", PowerShell expands $( ) and `: left unfilled. */
    EXPECT_FILL(t, "$(Remove-Item C:\\ -Recurse)",
                "Get-ADUser -Filter \"UserPrincipalName -eq '{mailbox}'\"");
    EXPECT_FILL(t, "a`b", "Get-ADUser -Filter \"UserPrincipalName -eq "
                          "'{mailbox}'\"");
    EXPECT_FILL(t, "$env:USERNAME", "Get-ADUser -Filter \"UserPrincipalName "
                                    "-eq '{mailbox}'\"");
    EXPECT_FILL(t, "O'Brien", "Get-ADUser -Filter \"UserPrincipalName -eq "
                              "'{mailbox}'\"");
    EXPECT_FILL(t, "a\"; Remove-Item x; \"",
                "Get-ADUser -Filter \"UserPrincipalName -eq '{mailbox}'\"");
    /* A quote written "" inside the template does not end the string. */
    EXPECT_FILL("Write-Host \"say \"\"{mailbox}\"\"\"", "$(x)",
                "Write-Host \"say \"\"{mailbox}\"\"\"");

}

TEST(fill_bare_values_quoted_unless_plain)
{
    char *got = fill1("Set-MoveRequest x -LargeItemLimit {limit}", "limit",
                      "50");
    ASSERT_STR_EQ(got, "Set-MoveRequest x -LargeItemLimit 50");
    mt_free(got);
    got = fill1("Get-Mailbox {mailbox}", "mailbox", "x; Remove-Item C:\\");
    ASSERT_STR_EQ(got, "Get-Mailbox 'x; Remove-Item C:\\'");
    mt_free(got);
    got = fill1("Get-Mailbox {mailbox}", "mailbox", "-Confirm:$false");
    ASSERT_STR_EQ(got, "Get-Mailbox '-Confirm:$false'");
    mt_free(got);

}

TEST(fill_mailbox_drops_proxy_prefix)
{
    EXPECT_FILL("Get-Mailbox -Identity '{mailbox}'", "SMTP:jdoe@contoso.com",
                "Get-Mailbox -Identity 'jdoe@contoso.com'");
    EXPECT_FILL("Get-Mailbox -Identity '{mailbox}'",
                "MigrationService:jdoe@contoso.com",
                "Get-Mailbox -Identity 'jdoe@contoso.com'");

}

TEST(fill_visible_placeholders)
{
    struct mt_fields none;
    struct mt_buf names;
    char *got;

    memset(&none, 0, sizeof(none));
    mt_buf_init(&names, 0);
    got = mt_fill_command("New-MoveRequest -Identity '{mailbox}' "
                          "-TargetDeliveryDomain '<tenant>.mail."
                          "onmicrosoft.com' -Remote {mailbox}",
                          NULL, &none, &none, &names);
    ASSERT_STR_EQ(got, "New-MoveRequest -Identity 'MAILBOX' "
                       "-TargetDeliveryDomain 'TENANT.mail.onmicrosoft.com' "
                       "-Remote MAILBOX");
    ASSERT_STR_EQ(names.data, "MAILBOX, TENANT");
    mt_free(got);
    mt_buf_free(&names);

}

TEST(identity_links_names_of_one_object)
{
    struct mt_identities ids;
    const char *a[] = {"jdoe", "SMTP:JDoe@Contoso.com", "John Doe"};
    const char *b[] = {"jdoe@contoso.com", "john.doe@contoso.com"};
    const char *c[] = {"asmith", "John Doe"}; /* a second John Doe */
    int ka[] = {MT_NAME_IDENTITY, MT_NAME_ADDRESS, MT_NAME_DISPLAY};
    int kb[] = {MT_NAME_ADDRESS, MT_NAME_PRIMARY};
    int kc[] = {MT_NAME_IDENTITY, MT_NAME_DISPLAY};
    long i1, i2, i3, i4;

    mt_identities_init(&ids, 100);
    ASSERT_INT_EQ(mt_identities_link(&ids, a, ka, 3), 0);
    ASSERT_INT_EQ(mt_identities_link(&ids, b, kb, 2), 0);
    mt_identities_resolve(&ids);
    i1 = mt_identities_find(&ids, "JDOE");
    i2 = mt_identities_find(&ids, "john.doe@contoso.com");
    i3 = mt_identities_find(&ids, "John Doe");
    ASSERT_TRUE(i1 >= 0 && i2 >= 0 && i3 >= 0);
    ASSERT_INT_EQ(mt_identities_root(&ids, (size_t)i1),
                  mt_identities_root(&ids, (size_t)i2));
    ASSERT_INT_EQ(mt_identities_root(&ids, (size_t)i3),
                  mt_identities_root(&ids, (size_t)i1));
    mt_identities_free(&ids);

    /* A display name shared by two people links neither. */
    mt_identities_init(&ids, 100);
    ASSERT_INT_EQ(mt_identities_link(&ids, a, ka, 3), 0);
    ASSERT_INT_EQ(mt_identities_link(&ids, c, kc, 2), 0);
    mt_identities_resolve(&ids);
    i1 = mt_identities_find(&ids, "jdoe");
    i4 = mt_identities_find(&ids, "asmith");
    ASSERT_TRUE(mt_identities_root(&ids, (size_t)i1) !=
                mt_identities_root(&ids, (size_t)i4));
    mt_identities_free(&ids);

}
