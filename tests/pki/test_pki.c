/*
 * PKI: the files mwds_pki_init writes, checked independently of the code
 * that wrote them: certificates against ca.pem through an X509_STORE,
 * signed documents through PKCS7_verify and through the openssl program,
 * permissions read back as text and compared with what the policy says
 * (written out by hand here), and partition patterns tried with fnmatch(3).
 * Also: key modes, refusal to overwrite a CA, and errors naming the path.
 */
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mwds/pki.h"
#include "mwds/policy.h"
#include "test_util.h"

static const char POLICY[] = "nations: [KOR, USA, JPN]\n"
                             "release:\n"
                             "  default:\n"
                             "    Track: all\n"
                             "    Warning: all\n"
                             "    NodeStatus: all\n"
                             "    Measurement: none\n"
                             "  KOR:\n"
                             "    Track: [USA]\n";

static const char *const NATIONS[] = {"KOR", "USA", "JPN"};

/* What each nation may publish where, by hand from POLICY. */
static const struct {
    const char *nation, *topic, *partition;
} PUBLISH[] = {
    {"KOR", "mwds_Measurement", "rel.KOR"},     {"KOR", "mwds_Track", "rel.KOR.USA"},
    {"KOR", "mwds_Warning", "rel.JPN.KOR.USA"}, {"KOR", "mwds_NodeStatus", "rel.JPN.KOR.USA"},
    {"USA", "mwds_Measurement", "rel.USA"},     {"USA", "mwds_Track", "rel.JPN.KOR.USA"},
    {"USA", "mwds_Warning", "rel.JPN.KOR.USA"}, {"USA", "mwds_NodeStatus", "rel.JPN.KOR.USA"},
    {"JPN", "mwds_Measurement", "rel.JPN"},     {"JPN", "mwds_Track", "rel.JPN.KOR.USA"},
    {"JPN", "mwds_Warning", "rel.JPN.KOR.USA"}, {"JPN", "mwds_NodeStatus", "rel.JPN.KOR.USA"},
};

enum { DAYS = 30 };

typedef struct fixture {
    char dir[64];
    mwds_policy policy;
    time_t now;
} fixture;

static fixture fx;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

static void path_of(char *buf, size_t len, const char *dir, const char *nation, const char *file)
{
    if (nation != NULL)
        snprintf(buf, len, "%s/%s/%s", dir, nation, file);
    else
        snprintf(buf, len, "%s/%s", dir, file);
}

static X509 *read_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (x == NULL)
        fail_msg("%s: not a PEM certificate", path);
    return x;
}

static EVP_PKEY *read_key(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (k == NULL)
        fail_msg("%s: not a PEM private key", path);
    return k;
}

static int run(const char *cmd)
{
    int st = system(cmd);
    return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static mwds_pki_options options(void)
{
    mwds_pki_options o;
    mwds_pki_options_default(&o);
    o.now_t_ns = (int64_t)fx.now * MWDS_NS_PER_S + 123456789;
    o.days = DAYS;
    o.extra_topics = "DDSPerf*";
    return o;
}

static int setup(void **state)
{
    (void)state;
    snprintf(fx.dir, sizeof fx.dir, "/tmp/mwds-test-pki-XXXXXX");
    if (mkdtemp(fx.dir) == NULL)
        return -1;
    char err[512] = "";
    if (mwds_policy_parse("policy", POLICY, strlen(POLICY), &fx.policy, err, sizeof err) !=
        MWDS_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    fx.now = time(NULL);
    mwds_pki_options o = options();
    char out[128];
    snprintf(out, sizeof out, "%s/pki", fx.dir); /* made by init */
    if (mwds_pki_init(&fx.policy, out, &o, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds_pki_init: %s\n", err);
        return -1;
    }
    snprintf(fx.dir + strlen(fx.dir), sizeof fx.dir - strlen(fx.dir), "/pki");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    char *slash = strrchr(fx.dir, '/');
    if (slash != NULL)
        *slash = '\0';
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx.dir);
    return run(cmd) == 0 ? 0 : -1;
}

/* Seconds from the Unix epoch of an ASN1_TIME. */
static time_t asn1_seconds(const ASN1_TIME *t)
{
    struct tm tm;
    assert_int_equal(ASN1_TIME_to_tm(t, &tm), 1);
    int days = 0, secs = 0;
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    assert_int_equal(ASN1_TIME_diff(&days, &secs, epoch, t), 1);
    ASN1_TIME_free(epoch);
    return (time_t)days * 86400 + secs;
}

static void test_certificates_verify(void **state)
{
    (void)state;
    char path[256];
    path_of(path, sizeof path, fx.dir, NULL, "ca.pem");
    X509 *ca = read_cert(path);
    path_of(path, sizeof path, fx.dir, NULL, "ca.key");
    EVP_PKEY *ca_key = read_key(path);
    assert_int_equal(X509_check_private_key(ca, ca_key), 1);
    /* a self-signed CA whose key may sign certificates, CRLs and documents */
    assert_int_equal(X509_check_ca(ca), 1);
    assert_int_equal(X509_check_issued(ca, ca), X509_V_OK);
    uint32_t ku = X509_get_key_usage(ca);
    assert_true(ku & KU_KEY_CERT_SIGN);
    assert_true(ku & KU_CRL_SIGN);
    assert_true(ku & KU_DIGITAL_SIGNATURE);
    assert_int_equal(X509_get_signature_nid(ca), NID_ecdsa_with_SHA256);
    char group[64] = "";
    size_t glen = 0;
    assert_int_equal(EVP_PKEY_get_group_name(ca_key, group, sizeof group, &glen), 1);
    assert_string_equal(group, "prime256v1");

    X509_STORE *store = X509_STORE_new();
    assert_non_null(store);
    assert_int_equal(X509_STORE_add_cert(store, ca), 1);
    for (size_t i = 0; i < 3; i++) {
        path_of(path, sizeof path, fx.dir, NATIONS[i], "cert.pem");
        X509 *cert = read_cert(path);
        X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        assert_non_null(ctx);
        assert_int_equal(X509_STORE_CTX_init(ctx, store, cert, NULL), 1);
        if (X509_verify_cert(ctx) != 1)
            fail_msg("%s does not verify against ca.pem: %s", path,
                     X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
        X509_STORE_CTX_free(ctx);
        assert_int_equal(X509_check_ca(cert), 0);
        assert_int_equal(X509_get_signature_nid(cert), NID_ecdsa_with_SHA256);
        /* validity from now (whole seconds) for DAYS days */
        assert_int_equal(asn1_seconds(X509_get0_notBefore(cert)), fx.now);
        assert_int_equal(asn1_seconds(X509_get0_notAfter(cert)), fx.now + DAYS * 86400);
        path_of(path, sizeof path, fx.dir, NATIONS[i], "key.pem");
        EVP_PKEY *key = read_key(path);
        assert_int_equal(X509_check_private_key(cert, key), 1);
        assert_int_equal(EVP_PKEY_get_group_name(key, group, sizeof group, &glen), 1);
        assert_string_equal(group, "prime256v1");
        /* the other nations' keys do not belong to this certificate */
        path_of(path, sizeof path, fx.dir, NATIONS[(i + 1) % 3], "key.pem");
        EVP_PKEY *other = read_key(path);
        assert_int_equal(X509_check_private_key(cert, other), 0);
        ERR_clear_error();
        EVP_PKEY_free(other);
        EVP_PKEY_free(key);
        X509_free(cert);
    }
    X509_STORE_free(store);
    EVP_PKEY_free(ca_key);
    X509_free(ca);
}

/* Verifies an S/MIME file against the CA and returns the signed text with
 * the S/MIME text header taken off and CRLF line ends made LF again. */
static char *verify_smime(const char *p7s_path, X509_STORE *store)
{
    BIO *in = BIO_new_file(p7s_path, "r");
    assert_non_null(in);
    BIO *content = NULL;
    PKCS7 *p7 = SMIME_read_PKCS7(in, &content);
    if (p7 == NULL || content == NULL)
        fail_msg("%s: not an S/MIME clear-signed message", p7s_path);
    BIO *out = BIO_new(BIO_s_mem());
    assert_non_null(out);
    if (PKCS7_verify(p7, NULL, store, content, out, PKCS7_TEXT) != 1) {
        char reason[256];
        ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
        fail_msg("%s does not verify: %s", p7s_path, reason);
    }
    char *mem = NULL;
    long n = BIO_get_mem_data(out, &mem);
    char *text = malloc((size_t)n + 1);
    assert_non_null(text);
    size_t o = 0;
    for (long i = 0; i < n; i++)
        if (mem[i] != '\r')
            text[o++] = mem[i];
    text[o] = '\0';
    BIO_free(out);
    BIO_free(content);
    PKCS7_free(p7);
    BIO_free(in);
    return text;
}

static void test_documents_signed_by_ca(void **state)
{
    (void)state;
    char path[256], xml_path[256];
    path_of(path, sizeof path, fx.dir, NULL, "ca.pem");
    X509 *ca = read_cert(path);
    X509_STORE *store = X509_STORE_new();
    assert_int_equal(X509_STORE_add_cert(store, ca), 1);
    for (int i = -1; i < 3; i++) {
        const char *nat = i < 0 ? NULL : NATIONS[i];
        path_of(path, sizeof path, fx.dir, nat, i < 0 ? "governance.p7s" : "permissions.p7s");
        path_of(xml_path, sizeof xml_path, fx.dir, nat,
                i < 0 ? "governance.xml" : "permissions.xml");
        char *signed_text = verify_smime(path, store);
        char *xml = slurp(xml_path, NULL);
        if (strcmp(signed_text, xml) != 0)
            fail_msg("%s signs something other than %s", path, xml_path);
        free(xml);
        free(signed_text);
    }
    /* a CA of its own does not verify them */
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *other = X509_new();
    X509_set_version(other, X509_VERSION_3);
    X509_NAME *nm = X509_get_subject_name(other);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"other", -1, -1, 0);
    X509_set_issuer_name(other, nm);
    X509_gmtime_adj(X509_getm_notBefore(other), 0);
    X509_gmtime_adj(X509_getm_notAfter(other), 3600);
    X509_set_pubkey(other, k);
    assert_true(X509_sign(other, k, EVP_sha256()) > 0);
    X509_STORE *wrong = X509_STORE_new();
    X509_STORE_add_cert(wrong, other);
    path_of(path, sizeof path, fx.dir, NULL, "governance.p7s");
    BIO *in = BIO_new_file(path, "r");
    BIO *content = NULL;
    PKCS7 *p7 = SMIME_read_PKCS7(in, &content);
    assert_non_null(p7);
    assert_int_not_equal(PKCS7_verify(p7, NULL, wrong, content, NULL, PKCS7_TEXT), 1);
    ERR_clear_error();
    PKCS7_free(p7);
    BIO_free(content);
    BIO_free(in);
    X509_STORE_free(wrong);
    X509_free(other);
    EVP_PKEY_free(k);
    X509_STORE_free(store);
    X509_free(ca);
}

static void test_openssl_program_agrees(void **state)
{
    (void)state;
    char cmd[1024];
    for (size_t i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "openssl verify -CAfile '%s/ca.pem' '%s/%s/cert.pem' >/dev/null",
                 fx.dir, fx.dir, NATIONS[i]);
        assert_int_equal(run(cmd), 0);
        snprintf(cmd, sizeof cmd,
                 "openssl smime -verify -text -CAfile '%s/ca.pem' -in '%s/%s/permissions.p7s' "
                 "-out '%s/%s/check.txt' 2>/dev/null && tr -d '\\r' < '%s/%s/check.txt' | "
                 "cmp -s - '%s/%s/permissions.xml'",
                 fx.dir, fx.dir, NATIONS[i], fx.dir, NATIONS[i], fx.dir, NATIONS[i], fx.dir,
                 NATIONS[i]);
        assert_int_equal(run(cmd), 0);
        snprintf(cmd, sizeof cmd, "rm -f '%s/%s/check.txt'", fx.dir, NATIONS[i]);
        assert_int_equal(run(cmd), 0);
    }
    snprintf(cmd, sizeof cmd,
             "openssl smime -verify -CAfile '%s/ca.pem' -in '%s/governance.p7s' -out /dev/null "
             "2>/dev/null",
             fx.dir, fx.dir);
    assert_int_equal(run(cmd), 0);
    /* a changed document fails: the check above means something */
    snprintf(cmd, sizeof cmd,
             "sed 's/>ENCRYPT</>NONE</' '%s/governance.p7s' > '%s/tampered.p7s' && "
             "! cmp -s '%s/governance.p7s' '%s/tampered.p7s' && "
             "! openssl smime -verify -CAfile '%s/ca.pem' -in '%s/tampered.p7s' -out /dev/null "
             "2>/dev/null; rc=$?; rm -f '%s/tampered.p7s'; exit $rc",
             fx.dir, fx.dir, fx.dir, fx.dir, fx.dir, fx.dir, fx.dir);
    assert_int_equal(run(cmd), 0);
}

/* The text between open and close tags after *pos, or NULL; *pos moves
 * past it. Caller frees. */
static char *between(const char **pos, const char *end, const char *open, const char *close)
{
    const char *a = strstr(*pos, open);
    if (a == NULL || (end != NULL && a >= end))
        return NULL;
    a += strlen(open);
    const char *b = strstr(a, close);
    if (b == NULL || (end != NULL && b > end))
        return NULL;
    char *s = malloc((size_t)(b - a) + 1);
    assert_non_null(s);
    memcpy(s, a, (size_t)(b - a));
    s[b - a] = '\0';
    *pos = b + strlen(close);
    return s;
}

static void expect_element(const char *xml, const char *name, const char *value)
{
    char want[160];
    snprintf(want, sizeof want, "<%s>%s</%s>", name, value, name);
    if (strstr(xml, want) == NULL)
        fail_msg("expected %s", want);
}

static void test_permissions_follow_policy(void **state)
{
    (void)state;
    char path[256];
    for (size_t i = 0; i < 3; i++) {
        const char *nat = NATIONS[i];
        path_of(path, sizeof path, fx.dir, nat, "cert.pem");
        X509 *cert = read_cert(path);
        /* the subject as Cyclone DDS prints it from the certificate */
        BIO *b = BIO_new(BIO_s_mem());
        X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
        char *mem = NULL;
        long n = BIO_get_mem_data(b, &mem);
        char subject[128];
        snprintf(subject, sizeof subject, "%.*s", (int)n, mem);
        BIO_free(b);
        X509_free(cert);
        char want[64], api[64];
        snprintf(want, sizeof want, "CN=%s,O=mwds", nat);
        assert_string_equal(subject, want);
        assert_int_equal(mwds_pki_subject(nat, api, sizeof api), MWDS_OK);
        assert_string_equal(api, want);

        path_of(path, sizeof path, fx.dir, nat, "permissions.xml");
        char *xml = slurp(path, NULL);
        const char *pos = xml;
        char *sn = between(&pos, NULL, "<subject_name>", "</subject_name>");
        assert_non_null(sn);
        assert_string_equal(sn, subject);
        free(sn);
        /* validity: now to now + DAYS, UTC */
        char nb[32], na[32];
        time_t until = fx.now + DAYS * 86400;
        struct tm tm;
        strftime(nb, sizeof nb, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&fx.now, &tm));
        strftime(na, sizeof na, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&until, &tm));
        expect_element(xml, "not_before", nb);
        expect_element(xml, "not_after", na);
        expect_element(xml, "default", "DENY");
        expect_element(xml, "min", "0");
        expect_element(xml, "max", "230");

        /* publish: one rule per topic, each in exactly the policy's
         * partition; then the extra topics in every partition */
        int seen = 0, extra = 0;
        pos = xml;
        char *blk;
        while ((blk = between(&pos, NULL, "<publish>", "</publish>")) != NULL) {
            const char *q = blk;
            char *topic = between(&q, NULL, "<topic>", "</topic>");
            assert_non_null(topic);
            assert_null(between(&q, NULL, "<topic>", "</topic>"));
            char *part = between(&q, NULL, "<partition>", "</partition>");
            if (strcmp(topic, "DDSPerf*") == 0) {
                assert_non_null(part);
                assert_string_equal(part, "*"); /* ddsperf's pong partitions too */
                extra++;
            } else {
                assert_non_null(part);
                assert_null(between(&q, NULL, "<partition>", "</partition>"));
                int found = 0;
                for (size_t k = 0; k < sizeof PUBLISH / sizeof PUBLISH[0]; k++)
                    if (strcmp(PUBLISH[k].nation, nat) == 0 &&
                        strcmp(PUBLISH[k].topic, topic) == 0) {
                        if (strcmp(PUBLISH[k].partition, part) != 0)
                            fail_msg("%s publishes %s in %s, expected %s", nat, topic, part,
                                     PUBLISH[k].partition);
                        found = 1;
                    }
                assert_true(found);
                seen++;
            }
            free(part);
            free(topic);
            free(blk);
        }
        assert_int_equal(seen, 4);
        assert_int_equal(extra, 1);

        /* subscribe: the four topics in the nation's partitions */
        pos = xml;
        blk = between(&pos, NULL, "<subscribe>", "</subscribe>");
        assert_non_null(blk);
        for (int t = 0; t < MWDS_TOPIC_COUNT; t++)
            expect_element(blk, "topic", mwds_topic_name((mwds_topic)t));
        const char *q = blk;
        char *p1 = between(&q, NULL, "<partition>", "</partition>");
        char *p2 = between(&q, NULL, "<partition>", "</partition>");
        assert_non_null(p1);
        assert_non_null(p2);
        assert_null(between(&q, NULL, "<partition>", "</partition>"));
        /* the patterns admit exactly the sets that hold the nation */
        static const char *const SETS[] = {"rel.KOR",        "rel.USA",     "rel.JPN",
                                           "rel.KOR.USA",    "rel.JPN.KOR", "rel.JPN.USA",
                                           "rel.JPN.KOR.USA"};
        for (size_t s = 0; s < sizeof SETS / sizeof SETS[0]; s++) {
            int holds = strstr(SETS[s], nat) != NULL;
            int admitted = fnmatch(p1, SETS[s], 0) == 0 || fnmatch(p2, SETS[s], 0) == 0;
            if (holds != admitted)
                fail_msg("%s reads with %s and %s: %s %s", nat, p1, p2, SETS[s],
                         admitted ? "admitted" : "refused");
        }
        free(p1);
        free(p2);
        free(blk);
        blk = between(&pos, NULL, "<subscribe>", "</subscribe>");
        assert_non_null(blk);
        expect_element(blk, "topic", "DDSPerf*");
        expect_element(blk, "partition", "*");
        free(blk);
        free(xml);
    }

    path_of(path, sizeof path, fx.dir, NULL, "governance.xml");
    char *g = slurp(path, NULL);
    expect_element(g, "allow_unauthenticated_participants", "false");
    expect_element(g, "enable_join_access_control", "true");
    expect_element(g, "discovery_protection_kind", "ENCRYPT");
    expect_element(g, "liveliness_protection_kind", "ENCRYPT");
    expect_element(g, "rtps_protection_kind", "ENCRYPT");
    expect_element(g, "topic_expression", "*");
    expect_element(g, "enable_discovery_protection", "true");
    expect_element(g, "enable_liveliness_protection", "true");
    expect_element(g, "enable_read_access_control", "true");
    expect_element(g, "enable_write_access_control", "true");
    expect_element(g, "metadata_protection_kind", "ENCRYPT");
    expect_element(g, "data_protection_kind", "ENCRYPT");
    free(g);
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        fail_msg("%s is missing", path);
    return st.st_mode & 07777;
}

static void test_key_modes_and_layout(void **state)
{
    (void)state;
    char path[256];
    path_of(path, sizeof path, fx.dir, NULL, "ca.key");
    assert_int_equal(mode_of(path), 0600);
    for (size_t i = 0; i < 3; i++) {
        path_of(path, sizeof path, fx.dir, NATIONS[i], "key.pem");
        assert_int_equal(mode_of(path), 0600);
        path_of(path, sizeof path, fx.dir, NATIONS[i], "cert.pem");
        assert_int_equal(mode_of(path) & 0600, 0600);
    }
    /* exactly the documented files: no temporary names left behind */
    static const char *const TOP[] = {".",   "..",  "ca.pem",         "ca.key",        "KOR",
                                      "USA", "JPN", "governance.xml", "governance.p7s"};
    DIR *d = opendir(fx.dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        int known = 0;
        for (size_t k = 0; k < sizeof TOP / sizeof TOP[0]; k++)
            known |= strcmp(e->d_name, TOP[k]) == 0;
        if (!known)
            fail_msg("unexpected file %s/%s", fx.dir, e->d_name);
        n++;
    }
    closedir(d);
    assert_int_equal(n, 9);
    path_of(path, sizeof path, fx.dir, NULL, "KOR");
    d = opendir(path);
    assert_non_null(d);
    n = 0;
    while ((e = readdir(d)) != NULL)
        n++;
    closedir(d);
    assert_int_equal(n, 6); /* . .. cert.pem key.pem permissions.xml permissions.p7s */
}

static const char *const ALL_FILES[] = {
    "ca.pem",       "ca.key",      "governance.xml",      "governance.p7s",
    "KOR/cert.pem", "KOR/key.pem", "KOR/permissions.xml", "KOR/permissions.p7s",
    "USA/cert.pem", "USA/key.pem", "USA/permissions.xml", "USA/permissions.p7s",
    "JPN/cert.pem", "JPN/key.pem", "JPN/permissions.xml", "JPN/permissions.p7s"};
enum { N_FILES = sizeof ALL_FILES / sizeof ALL_FILES[0] };

static void test_second_init_refused_without_force(void **state)
{
    (void)state;
    char dir[64], path[256], err[512] = "";
    snprintf(dir, sizeof dir, "/tmp/mwds-test-pki-XXXXXX");
    assert_non_null(mkdtemp(dir));
    mwds_pki_options o = options();
    assert_int_equal(mwds_pki_init(&fx.policy, dir, &o, err, sizeof err), MWDS_OK);
    char *before[N_FILES];
    size_t len[N_FILES];
    for (size_t i = 0; i < N_FILES; i++) {
        path_of(path, sizeof path, dir, NULL, ALL_FILES[i]);
        before[i] = slurp(path, &len[i]);
    }
    assert_int_equal(mwds_pki_init(&fx.policy, dir, &o, err, sizeof err), MWDS_EINVAL);
    assert_non_null(strstr(err, dir));
    assert_non_null(strstr(err, "ca.key"));
    for (size_t i = 0; i < N_FILES; i++) {
        size_t n;
        path_of(path, sizeof path, dir, NULL, ALL_FILES[i]);
        char *now = slurp(path, &n);
        if (n != len[i] || memcmp(now, before[i], n) != 0)
            fail_msg("%s changed after a refused init", path);
        free(now);
    }
    /* with force: a new CA, and the new certificates verify against it */
    o.force = 1;
    assert_int_equal(mwds_pki_init(&fx.policy, dir, &o, err, sizeof err), MWDS_OK);
    size_t n;
    path_of(path, sizeof path, dir, NULL, "ca.pem");
    char *ca_text = slurp(path, &n);
    assert_true(n != len[0] || memcmp(ca_text, before[0], n) != 0);
    free(ca_text);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "openssl verify -CAfile '%s/ca.pem' '%s/JPN/cert.pem' >/dev/null",
             dir, dir);
    assert_int_equal(run(cmd), 0);
    path_of(path, sizeof path, dir, NULL, "ca.key");
    assert_int_equal(mode_of(path), 0600);
    for (size_t i = 0; i < N_FILES; i++)
        free(before[i]);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(run(cmd), 0);
}

static void test_errors_name_the_cause(void **state)
{
    (void)state;
    char err[512] = "";
    mwds_policy p;
    assert_int_equal(mwds_policy_load("/nonexistent/releasability.yaml", &p, err, sizeof err),
                     MWDS_EIO);
    assert_non_null(strstr(err, "/nonexistent/releasability.yaml"));

    mwds_pki_options o = options();
    assert_int_equal(mwds_pki_init(&fx.policy, "/nonexistent/dir/pki", &o, err, sizeof err),
                     MWDS_EIO);
    assert_non_null(strstr(err, "/nonexistent/dir/pki: cannot make the folder"));
    o.days = 0;
    assert_int_equal(mwds_pki_init(&fx.policy, "/nonexistent/x", &o, err, sizeof err), MWDS_EINVAL);
    assert_non_null(strstr(err, "days"));
    o = options();
    o.extra_topics = "a<b";
    assert_int_equal(mwds_pki_init(&fx.policy, "/nonexistent/x", &o, err, sizeof err), MWDS_EINVAL);
    assert_non_null(strstr(err, "extra topics"));
    o = options();
    o.now_t_ns = 0;
    assert_int_equal(mwds_pki_init(&fx.policy, "/nonexistent/x", &o, err, sizeof err), MWDS_EINVAL);
    mwds_policy bad = fx.policy;
    bad.release[1][MWDS_TOPIC_TRACK] = 0x1; /* USA left out of its own set */
    o = options();
    assert_int_equal(mwds_pki_init(&bad, "/nonexistent/x", &o, err, sizeof err), MWDS_EINVAL);
    assert_int_equal(mwds_pki_init(NULL, "/x", &o, err, sizeof err), MWDS_EINVAL);

    /* a folder that cannot be finished is left without ca.key: a retry
     * without force goes ahead */
    char dir[64], path[256], cmd[256];
    snprintf(dir, sizeof dir, "/tmp/mwds-test-pki-XXXXXX");
    assert_non_null(mkdtemp(dir));
    path_of(path, sizeof path, dir, NULL, "USA");
    FILE *f = fopen(path, "w"); /* a file where the USA folder must go */
    assert_non_null(f);
    fclose(f);
    assert_int_equal(mwds_pki_init(&fx.policy, dir, &o, err, sizeof err), MWDS_EIO);
    assert_non_null(strstr(err, path));
    path_of(path, sizeof path, dir, NULL, "ca.key");
    assert_int_not_equal(access(path, F_OK), 0);
    path_of(path, sizeof path, dir, NULL, "USA");
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mwds_pki_init(&fx.policy, dir, &o, err, sizeof err), MWDS_OK);
    /* a file given as the folder */
    path_of(path, sizeof path, dir, NULL, "ca.pem");
    assert_int_equal(mwds_pki_init(&fx.policy, path, &o, err, sizeof err), MWDS_EIO);
    assert_non_null(strstr(err, "not a folder"));
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(run(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certificates_verify),
        cmocka_unit_test(test_documents_signed_by_ca),
        cmocka_unit_test(test_openssl_program_agrees),
        cmocka_unit_test(test_permissions_follow_policy),
        cmocka_unit_test(test_key_modes_and_layout),
        cmocka_unit_test(test_second_init_refused_without_force),
        cmocka_unit_test(test_errors_name_the_cause),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
