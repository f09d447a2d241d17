/*
 * Releasability policy: the example of docs/security.md parsed into the
 * sets written out by hand, partition names, defaults and overrides, and
 * every error a user can reach, each with its line, column and field.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mwds/policy.h"
#include "test_util.h"

static const char EXAMPLE[] = "# who releases what to whom\n"
                              "nations: [KOR, USA, JPN]\n"
                              "release:\n"
                              "  default:\n"
                              "    Track: all\n"
                              "    Warning: all\n"
                              "    NodeStatus: all\n"
                              "    Measurement: none\n"
                              "  KOR:\n"
                              "    Track: [USA]\n";

enum { KOR = 1u << 0, USA = 1u << 1, JPN = 1u << 2 };

static mwds_policy parse_ok(const char *text)
{
    mwds_policy p;
    char err[512] = "";
    if (mwds_policy_parse("ok.yaml", text, strlen(text), &p, err, sizeof err) != MWDS_OK)
        fail_msg("parsing a good policy: %s", err);
    return p;
}

static void test_example(void **state)
{
    (void)state;
    mwds_policy p = parse_ok(EXAMPLE);
    assert_int_equal(p.n_nations, 3);
    assert_string_equal(p.nations[0], "KOR");
    assert_string_equal(p.nations[1], "USA");
    assert_string_equal(p.nations[2], "JPN");
    assert_int_equal(mwds_policy_nation(&p, "JPN"), 2);
    assert_int_equal(mwds_policy_nation(&p, "FRA"), -1);
    /* KOR overrides Track; everything else from default; own bit always */
    assert_int_equal(p.release[0][MWDS_TOPIC_TRACK], KOR | USA);
    assert_int_equal(p.release[0][MWDS_TOPIC_WARNING], KOR | USA | JPN);
    assert_int_equal(p.release[0][MWDS_TOPIC_MEASUREMENT], KOR);
    assert_int_equal(p.release[1][MWDS_TOPIC_TRACK], KOR | USA | JPN);
    assert_int_equal(p.release[2][MWDS_TOPIC_NODE_STATUS], KOR | USA | JPN);
    assert_int_equal(p.release[2][MWDS_TOPIC_MEASUREMENT], JPN);
}

static void expect_partition(const mwds_policy *p, const char *nation, mwds_topic t,
                             const char *want)
{
    char buf[MWDS_PARTITION_LEN];
    assert_int_equal(mwds_policy_partition(p, nation, t, buf, sizeof buf), MWDS_OK);
    assert_string_equal(buf, want);
}

static void test_partitions_sorted(void **state)
{
    (void)state;
    mwds_policy p = parse_ok(EXAMPLE);
    /* codes in byte order whatever the file's order */
    expect_partition(&p, "KOR", MWDS_TOPIC_TRACK, "rel.KOR.USA");
    expect_partition(&p, "USA", MWDS_TOPIC_TRACK, "rel.JPN.KOR.USA");
    expect_partition(&p, "JPN", MWDS_TOPIC_WARNING, "rel.JPN.KOR.USA");
    expect_partition(&p, "KOR", MWDS_TOPIC_MEASUREMENT, "rel.KOR");
    expect_partition(&p, "JPN", MWDS_TOPIC_MEASUREMENT, "rel.JPN");
    char buf[MWDS_PARTITION_LEN] = "untouched";
    assert_int_equal(mwds_policy_partition_of(&p, USA | JPN, buf, sizeof buf), MWDS_OK);
    assert_string_equal(buf, "rel.JPN.USA");
    /* errors leave the buffer as it was */
    strcpy(buf, "untouched");
    assert_int_equal(mwds_policy_partition_of(&p, 0, buf, sizeof buf), MWDS_EINVAL);
    assert_int_equal(mwds_policy_partition_of(&p, 1u << 3, buf, sizeof buf), MWDS_EINVAL);
    assert_int_equal(mwds_policy_partition_of(&p, KOR | USA | JPN, buf, 15), MWDS_EINVAL);
    assert_string_equal(buf, "untouched");
    assert_int_equal(mwds_policy_partition_of(&p, KOR | USA | JPN, buf, 16), MWDS_OK);
    assert_string_equal(buf, "rel.JPN.KOR.USA");
    assert_int_equal(mwds_policy_partition(&p, "FRA", MWDS_TOPIC_TRACK, buf, sizeof buf),
                     MWDS_ENOTFOUND);
    assert_int_equal(mwds_policy_partition(&p, "KOR", MWDS_TOPIC_COUNT, buf, sizeof buf),
                     MWDS_EINVAL);
}

static void test_topic_names(void **state)
{
    (void)state;
    assert_string_equal(mwds_topic_name(MWDS_TOPIC_MEASUREMENT), "mwds_Measurement");
    assert_string_equal(mwds_topic_name(MWDS_TOPIC_TRACK), "mwds_Track");
    assert_string_equal(mwds_topic_name(MWDS_TOPIC_WARNING), "mwds_Warning");
    assert_string_equal(mwds_topic_name(MWDS_TOPIC_NODE_STATUS), "mwds_NodeStatus");
    assert_null(mwds_topic_name(MWDS_TOPIC_COUNT));
    assert_string_equal(mwds_topic_key(MWDS_TOPIC_NODE_STATUS), "NodeStatus");
}

static void test_defaults_and_overrides(void **state)
{
    (void)state;
    /* no release at all: every nation keeps everything to itself */
    mwds_policy p = parse_ok("nations: [USA, KOR]\n");
    for (int i = 0; i < 2; i++)
        for (int t = 0; t < MWDS_TOPIC_COUNT; t++)
            assert_int_equal(p.release[i][t], 1u << i);
    /* a topic missing from both default and override is none; an override
     * replaces the default's set rather than adding to it; listing oneself
     * or an empty list changes nothing about the own bit */
    p = parse_ok("nations: [KOR, USA, JPN, AUS]\n"
                 "release:\n"
                 "  default: {Track: [USA, JPN], Warning: all}\n"
                 "  JPN: {Track: [], Warning: none, Measurement: [JPN, KOR]}\n"
                 "  AUS: {NodeStatus: all}\n");
    assert_int_equal(p.release[0][MWDS_TOPIC_TRACK], 0x1 | 0x2 | 0x4);
    assert_int_equal(p.release[1][MWDS_TOPIC_TRACK], 0x2 | 0x4);
    assert_int_equal(p.release[2][MWDS_TOPIC_TRACK], 0x4);
    assert_int_equal(p.release[2][MWDS_TOPIC_WARNING], 0x4);
    assert_int_equal(p.release[2][MWDS_TOPIC_MEASUREMENT], 0x4 | 0x1);
    assert_int_equal(p.release[3][MWDS_TOPIC_TRACK], 0x8 | 0x2 | 0x4);
    assert_int_equal(p.release[3][MWDS_TOPIC_NODE_STATUS], 0xf);
    assert_int_equal(p.release[0][MWDS_TOPIC_NODE_STATUS], 0x1);
    assert_int_equal(p.release[1][MWDS_TOPIC_MEASUREMENT], 0x2);
    expect_partition(&p, "AUS", MWDS_TOPIC_TRACK, "rel.AUS.JPN.USA");
    /* quoted codes and keywords are the same values; an alias to a list */
    p = parse_ok("nations: [\"KOR\", 'USA']\n"
                 "release:\n"
                 "  default: {Track: &both [KOR, USA], Warning: \"all\"}\n"
                 "  USA: {Measurement: *both}\n");
    assert_int_equal(p.release[0][MWDS_TOPIC_WARNING], 0x3);
    assert_int_equal(p.release[1][MWDS_TOPIC_MEASUREMENT], 0x3);
    /* sixteen nations fit, and their partition name */
    p = parse_ok("nations: [AAA, BBB, CCC, DDD, EEE, FFF, GGG, HHH, III, JJJ, KKK, LLL, MMM, "
                 "NNN, OOO, PPP]\nrelease: {default: {Track: all}}\n");
    assert_int_equal(p.n_nations, 16);
    expect_partition(&p, "PPP", MWDS_TOPIC_TRACK,
                     "rel.AAA.BBB.CCC.DDD.EEE.FFF.GGG.HHH.III.JJJ.KKK.LLL.MMM.NNN.OOO.PPP");
}

/* The policy is rejected with rc and a message holding every one of the
 * wanted pieces; the output is untouched. */
static void expect_error_rc(const char *text, mwds_err rc, const char *want1, const char *want2)
{
    mwds_policy p, before;
    memset(&p, 0x5a, sizeof p);
    memcpy(&before, &p, sizeof p);
    char err[512] = "";
    mwds_err got = mwds_policy_parse("bad.yaml", text, strlen(text), &p, err, sizeof err);
    if (got != rc || strstr(err, want1) == NULL || (want2 != NULL && strstr(err, want2) == NULL))
        fail_msg("parsing:\n%s\ngot %d '%s', expected %d naming '%s' and '%s'", text, got, err, rc,
                 want1, want2 != NULL ? want2 : "");
    if (memcmp(&p, &before, sizeof p) != 0)
        fail_msg("a failed parse changed the output: %s", err);
    if (strchr(err, '\n') != NULL)
        fail_msg("message is more than one line: %s", err);
}

static void expect_error(const char *text, const char *want1, const char *want2)
{
    expect_error_rc(text, MWDS_EPARSE, want1, want2);
}

static void test_errors_name_line_and_field(void **state)
{
    (void)state;
    expect_error("nations: [KOR\n", "bad.yaml:2:1: YAML syntax error", NULL);
    expect_error("", "bad.yaml:1:1: expected a policy", "empty document");
    expect_error("- KOR\n", "bad.yaml:1:1: expected a policy", "got a list");
    expect_error("release: {}\n", "bad.yaml:1:1: missing required key 'nations'", NULL);
    expect_error("nations: [KOR]\nrelase: {}\n",
                 "bad.yaml:2:1: unknown key 'relase' (did you mean 'release'?)", NULL);
    expect_error("nations: [KOR]\ncolour: red\n", "bad.yaml:2:1: unknown key 'colour'",
                 "expected one of: nations, release");
    expect_error("nations: [KOR]\nnations: [USA]\n",
                 "bad.yaml:2:1: duplicate key 'nations' (first at line 1)", NULL);
    expect_error("nations: KOR\n", "bad.yaml:1:10: nations: expected a list of nation codes",
                 "got 'KOR'");
    expect_error_rc("nations: []\n", MWDS_ERANGE, "bad.yaml:1:10: nations: expected 1 to 16",
                    "got 0");
    expect_error_rc("nations: [AAA, BBB, CCC, DDD, EEE, FFF, GGG, HHH, III, JJJ, KKK, LLL, MMM, "
                    "NNN, OOO, PPP, QQQ]\n",
                    MWDS_ERANGE, "nations: expected 1 to 16 nations, got 17", NULL);
    expect_error("nations: [KOR, Usa]\n", "bad.yaml:1:16: nations[1]: expected a nation code",
                 "got 'Usa'");
    expect_error("nations: [KOR, KORE]\n", "nations[1]: expected a nation code of three", NULL);
    expect_error("nations:\n  - KOR\n  - USA\n  - KOR\n",
                 "bad.yaml:4:5: nations[2]: duplicate nation 'KOR' (first at line 2)", NULL);
    expect_error("nations: [KOR]\nrelease: all\n", "bad.yaml:2:10: release: expected a mapping",
                 "got 'all'");
    expect_error("nations: [KOR]\nrelease:\n", "bad.yaml:2:1: release: expected a mapping",
                 "got nothing");
    expect_error("nations: [KOR, USA]\nrelease:\n  FRA: {Track: all}\n",
                 "bad.yaml:3:3: release: unknown key 'FRA'",
                 "'default' or one of the policy's nations: KOR, USA");
    expect_error("nations: [KOR, USA]\nrelease:\n  Track: all\n",
                 "bad.yaml:3:3: release: unknown key 'Track'", NULL);
    expect_error("nations: [KOR]\nrelease:\n  default: {}\n  default: {}\n",
                 "bad.yaml:4:3: release: duplicate key 'default' (first at line 3)", NULL);
    expect_error("nations: [KOR]\nrelease:\n  KOR: {}\n  KOR: {}\n",
                 "bad.yaml:4:3: release: duplicate nation 'KOR' (first at line 3)", NULL);
    expect_error("nations: [KOR]\nrelease:\n  KOR:\n",
                 "bad.yaml:3:7: release.KOR: expected a "
                 "mapping of topics",
                 "got nothing");
    expect_error("nations: [KOR]\nrelease:\n  default:\n    Tracks: all\n",
                 "bad.yaml:4:5: release.default: unknown topic 'Tracks' (did you mean 'Track'?)",
                 NULL);
    expect_error("nations: [KOR]\nrelease:\n  default:\n    Radar: all\n",
                 "bad.yaml:4:5: release.default: unknown topic 'Radar'",
                 "expected Measurement, Track, Warning or NodeStatus");
    expect_error("nations: [KOR]\nrelease:\n  default:\n    Track: all\n    Track: none\n",
                 "bad.yaml:5:5: release.default: duplicate topic 'Track' (first at line 4)", NULL);
    expect_error("nations: [KOR]\nrelease:\n  default:\n    Track: some\n",
                 "bad.yaml:4:12: release.default.Track: expected all, none or a list of nations",
                 "got 'some'");
    expect_error("nations: [KOR]\nrelease:\n  default:\n    Track:\n",
                 "release.default.Track: expected all, none or a list", "got nothing");
    expect_error("nations: [KOR, USA]\nrelease:\n  KOR:\n    Track: [USA, FRA]\n",
                 "bad.yaml:4:18: release.KOR.Track[1]: unknown nation 'FRA'",
                 "the policy's nations are KOR, USA");
    expect_error("nations: [KOR, USA]\nrelease:\n  KOR:\n    Track: [usa]\n",
                 "bad.yaml:4:13: release.KOR.Track[0]: expected a nation code (one of KOR, USA)",
                 "got 'usa'");
    expect_error("nations: [KOR, USA]\nrelease:\n  KOR:\n    Track: [USA, USA]\n",
                 "bad.yaml:4:18: release.KOR.Track[1]: duplicate nation 'USA' in the list", NULL);
    expect_error("nations: [KOR]\nrelease:\n  KOR: {Warning: [[KOR]]}\n",
                 "release.KOR.Warning[0]: expected a nation code", "got a list");
    expect_error("nations: [KOR]\n---\nnations: [USA]\n",
                 "bad.yaml:2:1: expected one YAML document, found a second one here", NULL);
    expect_error("nations: [KOR]\n? [a]\n: b\n", "bad.yaml:2:3: expected a key name", "a list");
    /* a control character in a value is escaped, not printed */
    expect_error("nations: [\"K\\tR\"]\n", "nations[0]: expected a nation code",
                 "got the quoted string \"K\\x09R\"");
}

static void test_bounds(void **state)
{
    (void)state;
    /* nesting beyond what a policy needs stops before the document loader */
    char deep[256] = "nations: ";
    for (int i = 0; i < 20; i++)
        strcat(deep, "[");
    expect_error_rc(deep, MWDS_ERANGE, "bad.yaml:1:", "nested more than 8 levels");
    /* too many aliases */
    size_t cap = 64 * 1024;
    char *many = malloc(cap);
    assert_non_null(many);
    size_t o = (size_t)snprintf(many, cap, "nations: &n [KOR]\nx: [");
    for (int i = 0; i < 5000 && o + 8 < cap; i++)
        o += (size_t)snprintf(many + o, cap - o, "*n,");
    snprintf(many + o, cap - o, "*n]\n");
    expect_error_rc(many, MWDS_ERANGE, "more than 4096 YAML aliases", NULL);
    free(many);
    /* more than 1 MiB is refused before parsing */
    size_t big = ((size_t)1 << 20) + 1;
    char *text = malloc(big);
    assert_non_null(text);
    memset(text, ' ', big);
    mwds_policy p;
    char err[256] = "";
    assert_int_equal(mwds_policy_parse("big.yaml", text, big, &p, err, sizeof err), MWDS_ERANGE);
    assert_non_null(strstr(err, "big.yaml: policy is 1048577 bytes"));
    free(text);
    /* NULL arguments */
    assert_int_equal(mwds_policy_parse("x", NULL, 3, &p, err, sizeof err), MWDS_EINVAL);
    assert_int_equal(mwds_policy_parse("x", "", 0, NULL, err, sizeof err), MWDS_EINVAL);
}

static void test_load_file(void **state)
{
    (void)state;
    mwds_policy p;
    char err[512] = "";
    assert_int_equal(mwds_policy_load("/nonexistent/policy.yaml", &p, err, sizeof err), MWDS_EIO);
    assert_non_null(strstr(err, "/nonexistent/policy.yaml: cannot open"));
    char dir[] = "/tmp/mwds-test-policy-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/policy.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(EXAMPLE, f);
    fputs("  USA:\n    Warning: [KOR, XYZ]\n", f);
    fclose(f);
    assert_int_equal(mwds_policy_load(path, &p, err, sizeof err), MWDS_EPARSE);
    char want[192];
    snprintf(want, sizeof want, "%s:12:20: release.USA.Warning[1]: unknown nation 'XYZ'", path);
    if (strstr(err, want) == NULL)
        fail_msg("got '%s', expected '%s'", err, want);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(EXAMPLE, f);
    fclose(f);
    assert_int_equal(mwds_policy_load(path, &p, err, sizeof err), MWDS_OK);
    assert_int_equal(p.release[0][MWDS_TOPIC_TRACK], KOR | USA);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example),
        cmocka_unit_test(test_partitions_sorted),
        cmocka_unit_test(test_topic_names),
        cmocka_unit_test(test_defaults_and_overrides),
        cmocka_unit_test(test_errors_name_line_and_field),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_load_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
