/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Fuzz target of the configuration: the text goes through what the
 * program does with a configuration file before it starts its ports
 * (app/app.c, app/ipsec.c), on the real code: lib/config's core
 * sections and every section the program registers (ipsec, ike, gen,
 * macsec, lb), the lcore check, "show config" (ss_cfg_dump), and the
 * static tunnels and SAs applied to an SA database with lib/esp's
 * crypto attached (ipsec-mb, cpu and lookaside back-ends, and the
 * software NIC's key table for swnic) and the policies compiled by
 * lib/spd into rte_acl.
 *
 * Besides the sanitizers, each input is checked for what the program
 * promises about a configuration:
 * - a refused one gets a message that names the file (and, from a
 *   setting, its line and path); nothing is refused without one;
 * - no secret (ipsec SA keys, MACsec CAKs, IKE pre-shared keys) ever
 *   appears in an error message or in "show config";
 * - once the SAs are deleted, the software NIC holds no key;
 * - what an input took of DPDK's memory (SA database, crypto sessions,
 *   hash tables, ACL contexts) is all given back (LeakSanitizer does not
 *   see that memory).
 *
 * Inputs are plain text. The plain program (-DSS_FUZZ_STANDALONE, built
 * by meson) mutates the embedded default, the documented examples of
 * config/ and a seed here that has every section, with byte mutations,
 * one that replaces a value (values from fuzz_cfg.dict, which
 * run_libfuzzer.sh gives libFuzzer too) and one that takes a setting
 * out.
 * Inputs with @include, or with a string that could name a device or a
 * kernel file (dev/, proc/, sys/ in it) for the IKE section to read, are
 * skipped: a configuration is the operator's own, and such files may
 * never end.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <dirent.h>

#include <libconfig.h>
#include <rte_common.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "ss_app.h"
#include "ss_config.h"
#include "ss_esp.h"
#include "ss_sa.h"
#include "ss_spd.h"
#include "ss_swnic_esp.h"
#include "ss_fuzz.h"

#define FC_NAME "fz.cfg"
#define FC_MAX_TEXT 65536
#define FC_MAX_SECRETS 32
#define FC_MIN_SECRET 12	/* shorter ones may be any word */
#define FC_MAX_SEEDS 16
#define FC_MAX_DICT 256

int
LLVMFuzzerInitialize(int *argc, char ***argv);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every section, every back-end and algorithm, both families. */
static const char seed_all[] =
	"instance_bits = 4;\nmbufs = 16383;\npoll_mode = \"busy\";\n"
	"arp_hold_ms = 1000;\narp_hold_pkts = 64;\nicmp_rate = 100;\n"
	"log_level = \"info\";\n"
	"ports = (\n"
	" { name = \"inside\"; device = \"net_null0\"; mtu = 1500;\n"
	"   addresses = ( \"192.0.2.1/24\", \"2001:db8:1::1/64\" );\n"
	"   rx_desc = 512; tx_desc = 512; promiscuous = false;\n"
	"   mac = \"02:00:00:00:01:01\"; },\n"
	" { name = \"outside\"; device = \"net_null1\"; mtu = 9000;\n"
	"   addresses = ( \"198.51.100.1/24\", \"2001:db8:2::1/64\" ); }\n"
	");\n"
	"servers = ( { id = 1; lcore = 1; }, { id = 2; lcore = 1; },\n"
	"  { id = 3; lcore = 2; } );\n"
	"neighbours = ( { port = \"outside\"; ip = \"198.51.100.2\";\n"
	"  mac = \"02:00:00:00:02:02\"; } );\n"
	"routes = ( { dst = \"203.0.113.0/24\"; via = \"198.51.100.2\"; },\n"
	"  { dst = \"2001:db8:3::/64\"; via = \"2001:db8:2::2\";\n"
	"    port = \"outside\"; },\n"
	"  { dst = \"10.9.0.0/16\"; port = \"inside\"; } );\n"
	"ipsec = {\n"
	" replay_window = 1024; esn = true; backend = \"ipsec-mb\";\n"
	" fragment = true;\n"
	" hold = { packets = 64; bytes = 65536; timeout_ms = 2000;\n"
	"   queues = 8; answer = \"icmp\"; };\n"
	" swnic = { slots = 64; latency_us = 100; };\n"
	" tunnels = (\n"
	"  { name = \"remote\"; local = \"198.51.100.1\";\n"
	"    peer = \"198.51.100.2\"; mode = \"tunnel\"; inner = \"ipv4\";\n"
	"    udp_encap = true; encap_local_port = 4500;\n"
	"    encap_peer_port = 4501; mtu = 1400;\n"
	"    local_ts = [ \"10.1.0.0/16\", \"10.3.0.0/16\" ];\n"
	"    remote_ts = [ \"10.2.0.0/16\" ];\n"
	"    sas = (\n"
	"     { server = 1; dir = \"out\"; spi = 0x90000101;\n"
	"       algo = \"aes-gcm-128\";\n"
	"       key = \"0x000102030405060708090a0b0c0d0e0f10111213\"; },\n"
	"     { server = 1; dir = \"in\"; spi = 0x10000101;\n"
	"       algo = \"aes-gcm-256\"; replay_window = 4096; esn = false;\n"
	"       key = \"0x202122232425262728292a2b2c2d2e2f"
	"303132333435363738393a3b3c3d3e3f40414243\"; },\n"
	"     { server = 2; dir = \"in\"; spi = 0x20000101;\n"
	"       algo = \"aes-cbc-128-hmac-sha256\"; backend = \"cpu\";\n"
	"       key = \"0x505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f\"; },\n"
	"     { server = 3; dir = \"in\"; spi = 0x30000101;\n"
	"       algo = \"aes-cbc-256-hmac-sha256\"; backend = \"lookaside\";\n"
	"       key = \"0x808182838485868788898a8b8c8d8e8f"
	"909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
	"b0b1b2b3b4b5b6b7b8b9babbbcbdbebf\"; }\n"
	"    ); },\n"
	"  { name = \"v6\"; local = \"2001:db8:2::1\"; peer = \"2001:db8:2::2\";\n"
	"    mode = \"transport\";\n"
	"    sas = (\n"
	"     { server = 2; dir = \"out\"; spi = 0x90000202;\n"
	"       algo = \"null-hmac-sha256\"; backend = \"swnic\";\n"
	"       key = \"0xc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	"d0d1d2d3d4d5d6d7d8d9dadbdcdddedf\"; },\n"
	"     { server = 2; dir = \"in\"; spi = 0x20000202;\n"
	"       algo = \"aes-gcm-128\"; backend = \"ipsec-mb\";\n"
	"       key = \"0xe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3\"; }\n"
	"    ); }\n"
	" );\n"
	" policies = (\n"
	"  { name = \"to-remote\"; src = \"10.1.0.0/16\"; dst = \"10.2.0.0/16\";\n"
	"    proto = \"udp\"; sport = \"0-65535\"; dport = 2152;\n"
	"    action = \"protect\"; tunnel = \"remote\"; priority = 10; },\n"
	"  { name = \"v6\"; src = \"2001:db8:2::1/128\";\n"
	"    dst = \"2001:db8:2::2/128\"; proto = \"tcp\";\n"
	"    action = \"protect\"; tunnel = \"v6\"; },\n"
	"  { name = \"icmp\"; src = \"0.0.0.0/0\"; dst = \"0.0.0.0/0\";\n"
	"    proto = \"icmp\"; action = \"bypass\"; priority = 5; },\n"
	"  { name = \"drop\"; src = \"10.0.0.0/8\"; dst = \"0.0.0.0/0\";\n"
	"    proto = 47; action = \"discard\"; },\n"
	"  { name = \"ping\"; dst = \"192.0.2.0/24\"; proto = \"icmp\";\n"
	"    icmp_type = 8; icmp_code = \"0-255\"; action = \"bypass\"; },\n"
	"  { name = \"nd\"; src = \"::/0\"; proto = \"icmpv6\";\n"
	"    icmp_type = \"133-137\"; action = \"bypass\"; priority = 1; }\n"
	" );\n"
	"};\n"
	"ike = {\n"
	" retransmit_ms = 500; retransmit_tries = 3; cookie_threshold = 5;\n"
	" half_open_timeout = 10; keepalive_interval = 20;\n"
	" fragmentation = true; fragment_size = 1280;\n"
	" peers = ( {\n"
	"  name = \"gw2\"; local_addr = \"198.51.100.1\"; local_port = 500;\n"
	"  remote_addr = \"198.51.100.2\"; local_id = \"gw1.example\";\n"
	"  remote_id = \"gw2.example\"; auth = \"psk\";\n"
	"  psk = \"a-long-pre-shared-key-0123456789\";\n"
	"  ike_proposals = [ \"aes256gcm16-prfsha256-ecp256\",\n"
	"    \"aes128-sha256-modp2048\" ];\n"
	"  rekey_time = 14400; over_time = 1440; jitter = 1440;\n"
	"  dpd_interval = 30; encap = false;\n"
	"  children = ( {\n"
	"   name = \"net\"; local_ts = [ \"10.5.0.0/24\" ];\n"
	"   remote_ts = [ \"10.6.0.0/24\" ];\n"
	"   esp_proposals = [ \"aes128gcm16-esn\", \"aes256-sha256-noesn\" ];\n"
	"   mode = \"tunnel\"; per_server = true; start_action = \"none\";\n"
	"   rekey_time = 3600; life_time = 3960; jitter = 360;\n"
	"   rekey_bytes = 0; rekey_packets = 0; max_pairs = 0; } );\n"
	" } );\n"
	"};\n"
	"macsec = { ports = ( {\n"
	" port = \"inside\"; cak = \"0x135bd758b0ee5c11c55ff6ab19fdb199\";\n"
	" ckn = \"0x96437a93ccf10d9dfe347846cce52c7d\";\n"
	" cipher = \"gcm-aes-xpn-128\"; confidentiality = true;\n"
	" priority = 16; replay_window = 0; validate = \"strict\";\n"
	" hello_ms = 2000; life_ms = 6000; sak_rekey_s = 3600;\n"
	" cak_renew_s = 86400; server = 2; } ); };\n";

/* The running input's secrets (see the top). */
static struct {
	char v[FC_MAX_SECRETS][512];
	unsigned int n;
} sec;

static struct {
	char *text[FC_MAX_SEEDS];
	size_t len[FC_MAX_SEEDS];
	unsigned int n;
} seeds;

/* DPDK's heap as the seeds left it */
static struct {
	bool set;
	unsigned int count;
	size_t bytes;
} heap;

static struct {
	uint64_t inputs, skipped, loaded, refused, lcores_refused;
	uint64_t applied, apply_refused, spd_built, dumps;
} st;

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_cfg: %s: %s\n", what, detail);
	abort();
}

static bool
lcore_enabled(unsigned int lcore)
{
	/* what "-l 0-7" would give */
	return lcore < 8;
}

static size_t
count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* The input in lower case, and in lower case without ':' (hex keys may
 * be written with separators). */
static struct {
	char low[FC_MAX_TEXT + 1];
	char hex[FC_MAX_TEXT + 1];
} txt;

static void
lower(char *to, const char *from, size_t cap, bool drop_colons)
{
	size_t k = 0;

	for (; *from != '\0' && k + 1 < cap; from++)
		if (!drop_colons || *from != ':')
			to[k++] = (char)tolower((unsigned char)*from);
	to[k] = '\0';
}

/* The secret as the parsers would read it, in the forms a printer could
 * give it: as written, and as lower-case hex digits. Only a secret
 * written once (in any case) is looked for: the same digits elsewhere in
 * the input, say as an integer that an error message quotes, are not
 * the secret. */
static void
secret_add(const char *v)
{
	char lv[sizeof(sec.v[0])], hex[sizeof(sec.v[0])];

	if (strlen(v) < FC_MIN_SECRET || sec.n + 2 > FC_MAX_SECRETS)
		return;
	lower(lv, v, sizeof(lv), false);
	if (count_of(txt.low, lv) != 1)
		return;
	snprintf(sec.v[sec.n++], sizeof(sec.v[0]), "%s", v);
	if (strncasecmp(v, "0x", 2) != 0)
		return;
	lower(hex, v + 2, sizeof(hex), true);
	if (strlen(hex) >= FC_MIN_SECRET && count_of(txt.hex, hex) == 1)
		snprintf(sec.v[sec.n++], sizeof(sec.v[0]), "%s", hex);
}

/* psk, cak, and "0x..." keys, wherever they are in the tree. */
static void
secrets_walk(const config_setting_t *s)
{
	const char *name = config_setting_name(s);
	int i, n;

	if (config_setting_type(s) == CONFIG_TYPE_STRING && name != NULL) {
		const char *v = config_setting_get_string(s);

		if (v != NULL && (strcmp(name, "psk") == 0 ||
				strcmp(name, "cak") == 0 ||
				(strcmp(name, "key") == 0 &&
				 strncasecmp(v, "0x", 2) == 0)))
			secret_add(v);
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		secrets_walk(config_setting_get_elem(s, i));
}

/* With libconfig alone, so that the check does not trust the code under
 * test to say where its secrets are. */
static void
secrets_find(const char *text)
{
	config_t c;

	sec.n = 0;
	lower(txt.low, text, sizeof(txt.low), false);
	lower(txt.hex, text, sizeof(txt.hex), true);
	config_init(&c);
	if (config_read_string(&c, text) == CONFIG_TRUE)
		secrets_walk(config_root_setting(&c));
	config_destroy(&c);
}

static void
secrets_check(const char *where, const char *out)
{
	char low[8192];
	size_t i, n = strlen(out);
	unsigned int k;

	for (k = 0; k < sec.n; k++)
		if (strstr(out, sec.v[k]) != NULL)
			fail(where, "a secret of the configuration is in it");
	/* hex forms are compared in lower case, in pieces that fit */
	for (i = 0; i < n; i += sizeof(low) / 2) {
		size_t m = RTE_MIN(n - i, sizeof(low) - 1), j;

		for (j = 0; j < m; j++)
			low[j] = (char)tolower((unsigned char)out[i + j]);
		low[m] = '\0';
		for (k = 0; k < sec.n; k++)
			if (strstr(low, sec.v[k]) != NULL)
				fail(where, "a secret (hex) is in it");
	}
}

static void
refusal_check(const struct ss_cfg_error *err, const char *stage)
{
	char why[SS_CFG_ERR_LEN + 64];

	if (err->msg[0] == '\0')
		fail(stage, "refused without a message");
	if (strncmp(err->msg, FC_NAME, strlen(FC_NAME)) != 0) {
		snprintf(why, sizeof(why), "message does not name the file: "
			"'%s'", err->msg);
		fail(stage, why);
	}
	secrets_check(stage, err->msg);
}

static void
dump_check(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		fail("show config", strerror(errno));
	ss_cfg_dump(&ss_app.cfg, f);
	fclose(f);
	if (len == 0 || strstr(buf, "effective configuration") == NULL)
		fail("show config", "nothing printed");
	secrets_check("show config", buf);
	st.dumps++;
	free(buf);
}

/* The SAs go, and with them their keys in the software NIC. */
static void
db_free(struct ss_sa_db *db)
{
	struct ss_swnic_stats ns;

	ss_sa_db_free(db);
	ss_swnic_esp_service(UINT64_MAX);
	ss_swnic_stats_get(ss_swnic_esp_dev(), &ns);
	if (ns.used != 0 || ns.pending != 0)
		fail("software NIC", "keys left after their SAs were deleted");
}

/* What app/ipsec.c does with the section, on an SA database of the
 * configured servers: its tunnels and SAs (crypto sessions made by
 * lib/esp), then its policies into an rte_acl SPD. */
static void
ipsec_apply(void)
{
	const struct ss_config *cfg = &ss_app.cfg;
	struct ss_sa_cfg *sc = &ss_app.sacfg;
	uint16_t ids[SS_CFG_MAX_SERVERS];
	struct ss_sa_db_conf dbc;
	struct ss_cfg_error err;
	struct ss_sa_db *db;
	struct ss_spd *spd;
	void *old = NULL;
	uint16_t s;
	int ret;

	if (!sc->present || cfg->nb_servers == 0)
		return;
	for (s = 0; s < cfg->nb_servers; s++)
		ids[s] = cfg->servers[s].id;
	memset(&dbc, 0, sizeof(dbc));
	dbc.name = "fzc";
	dbc.nb_servers = cfg->nb_servers;
	dbc.instance_bits = cfg->instance_bits;
	dbc.ids = ids;
	dbc.socket = SOCKET_ID_ANY;
	db = ss_sa_db_create(&dbc, NULL);
	if (db == NULL)
		fail("ss_sa_db_create", "a loaded configuration's servers");
	ret = ss_esp_attach(db);
	if (ret < 0)
		fail("ss_esp_attach", strerror(-ret));
	memset(&err, 0, sizeof(err));
	ret = ss_sa_cfg_apply(sc, db, &err);
	/* the NIC's firmware takes the keys pushed */
	ss_swnic_esp_service(UINT64_MAX);
	if (ret < 0) {
		st.apply_refused++;
		refusal_check(&err, "SAs");
		db_free(db);
		return;
	}
	st.applied++;
	spd = ss_spd_create("fzc_spd", SOCKET_ID_ANY);
	if (spd == NULL)
		fail("ss_spd_create", "no SPD");
	ss_spd_set_default(spd, SS_SPD_BYPASS, 0);
	if (sc->policies != NULL) {
		memset(&err, 0, sizeof(err));
		ret = ss_spd_cfg_parse(cfg, sc->policies, spd,
			ss_sa_cfg_tunnel_by_name, sc, &err);
		if (ret < 0) {
			st.apply_refused++;
			refusal_check(&err, "policies");
		}
	}
	if (ret == 0 && ss_spd_build(spd) == 0 &&
			ss_spd_commit(spd, &old) == 0) {
		ss_spd_snapshot_free(old);
		st.spd_built++;
	}
	ss_spd_destroy(spd);
	db_free(db);
}

static void
heap_check(void)
{
	struct rte_malloc_socket_stats ms;
	char why[128];

	if (!heap.set)
		return;
	if (rte_malloc_get_socket_stats(0, &ms) != 0)
		fail("rte_malloc_get_socket_stats", "no heap");
	if (ms.alloc_count != heap.count || ms.heap_allocsz_bytes !=
			heap.bytes) {
		snprintf(why, sizeof(why), "%u blocks, %zu bytes left over",
			ms.alloc_count - heap.count,
			ms.heap_allocsz_bytes - heap.bytes);
		fail("DPDK memory", why);
	}
}

/* A string that could name a device or a kernel file (the IKE section
 * reads certificates and keys from files). */
static bool
names_special_file(const char *text)
{
	static const char *const bad[] = { "dev/", "proc/", "sys/" };
	char str[1024];
	const char *p = text;
	size_t n;
	unsigned int k;

	while ((p = strchr(p, '"')) != NULL) {
		for (p++, n = 0; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (n + 1 < sizeof(str))
				str[n++] = *p;
		}
		str[n] = '\0';
		for (k = 0; k < RTE_DIM(bad); k++)
			if (strstr(str, bad[k]) != NULL)
				return true;
		if (*p == '\0')
			break;
		p++;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[FC_MAX_TEXT + 1];
	struct ss_cfg_error err;
	int ret;

	if (size > FC_MAX_TEXT)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	st.inputs++;
	if (strstr(text, "@include") != NULL || names_special_file(text)) {
		st.skipped++;
		return 0;
	}
	secrets_find(text);
	memset(&err, 0, sizeof(err));
	ret = ss_cfg_load_string(text, FC_NAME, &ss_app.cfg, &err);
	if (ret < 0) {
		st.refused++;
		refusal_check(&err, "load");
		goto out;
	}
	st.loaded++;
	dump_check();
	ret = ss_cfg_check_lcores(&ss_app.cfg, lcore_enabled, 0, &err);
	if (ret < 0) {
		st.lcores_refused++;
		refusal_check(&err, "lcores");
	}
	ipsec_apply();
out:
	/* the keys the section kept, as the program's teardown does */
	ss_sa_cfg_clear(&ss_app.sacfg);
	ss_cfg_free(&ss_app.cfg);
	heap_check();
	return 0;
}

static void
seed_add(char *text, size_t len)
{
	unsigned int i;

	for (i = 0; i < seeds.n; i++)
		if (strcmp(seeds.text[i], text) == 0)
			break;
	/* config/default.cfg is the embedded default */
	if (i < seeds.n || seeds.n == FC_MAX_SEEDS || len > FC_MAX_TEXT) {
		free(text);
		return;
	}
	ss_fuzz_seed_write_raw("cfg", seeds.n, (const uint8_t *)text, len);
	seeds.text[seeds.n] = text;
	seeds.len[seeds.n] = len;
	seeds.n++;
}

static void
seed_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b;
	size_t n;

	if (f == NULL)
		return;
	b = malloc(FC_MAX_TEXT + 1);
	if (b == NULL)
		fail("seed", "no memory");
	n = fread(b, 1, FC_MAX_TEXT, f);
	fclose(f);
	b[n] = '\0';
	seed_add(b, n);
}

/* config/ and its examples' folders (one level down) */
static void
seed_dir(const char *dir, int depth)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
				(int)sizeof(path))
			continue;
		if (l > 4 && strcmp(e->d_name + l - 4, ".cfg") == 0)
			seed_file(path);
		else if (depth < 2)
			seed_dir(path, depth + 1);
	}
	closedir(d);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rte_malloc_socket_stats ms;
	unsigned int k;
	int ret;

	(void)argc;
	(void)argv;
	ss_fuzz_eal_init("fuzz_cfg");
	/* a refused configuration is the normal case here */
	rte_log_set_level_pattern("shardsec.*", RTE_LOG_CRIT);
	/* the program's: lookaside needs a queue pair per server */
	ret = ss_esp_crypto_init(SOCKET_ID_ANY, SS_CFG_MAX_SERVERS + 1);
	if (ret < 0)
		fail("ss_esp_crypto_init", strerror(-ret));
	ret = ss_swnic_esp_init(4096, 0, SOCKET_ID_ANY);
	if (ret < 0)
		fail("ss_swnic_esp_init", strerror(-ret));
	ret = ss_app_config_register(&ss_app);
	if (ret < 0)
		fail("ss_app_config_register", strerror(-ret));
	seed_add(strdup(seed_all), strlen(seed_all));
	seed_add(strdup(ss_cfg_default_text), strlen(ss_cfg_default_text));
#ifdef SS_FUZZ_CFG_DIR
	seed_dir(SS_FUZZ_CFG_DIR, 0);
#endif
	/* What is made once, on first use (crypto session pools), is made
	 * by the seeds; the heap check's baseline is taken after them. */
	for (k = 0; k < seeds.n; k++)
		LLVMFuzzerTestOneInput((const uint8_t *)seeds.text[k],
			seeds.len[k]);
	if (rte_malloc_get_socket_stats(0, &ms) != 0)
		fail("rte_malloc_get_socket_stats", "no heap");
	heap.count = ms.alloc_count;
	heap.bytes = ms.heap_allocsz_bytes;
	heap.set = true;
	memset(&st, 0, sizeof(st));
	return 0;
}

#ifdef SS_FUZZ_STANDALONE
static struct {
	char v[FC_MAX_DICT][128];
	unsigned int n;
} dict;

/* fuzz_cfg.dict, which libFuzzer reads itself (-dict): "value" lines,
 * with \\, \" and \xNN escapes. */
static void
dict_load(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return;
	while (dict.n < FC_MAX_DICT && fgets(line, sizeof(line), f) != NULL) {
		char *p = strchr(line, '"'), *o = dict.v[dict.n];
		char *const end = o + sizeof(dict.v[0]) - 1;

		if (line[0] == '#' || p == NULL)
			continue;
		for (p++; *p != '\0' && *p != '"' && o < end; p++) {
			if (*p == '\\' && p[1] == 'x' && isxdigit(
					(unsigned char)p[2]) && isxdigit(
					(unsigned char)p[3])) {
				char h[3] = { p[2], p[3], '\0' };

				*o++ = (char)strtol(h, NULL, 16);
				p += 3;
			} else if (*p == '\\' && p[1] != '\0') {
				*o++ = *++p;
			} else {
				*o++ = *p;
			}
		}
		*o = '\0';
		dict.n++;
	}
	fclose(f);
}

/* Replaces the value after a random '=' (up to its ';') with one of the
 * dictionary's: what byte mutations rarely make, a well-formed value of
 * another kind, size or meaning. */
static size_t
mutate_value(char *b, size_t len, size_t cap)
{
	const char *v = dict.v[ss_fuzz_rnd() % dict.n];
	size_t p = len != 0 ? ss_fuzz_rnd() % len : 0, e, vl = strlen(v);
	char *eq = memchr(b + p, '=', len - p);

	if (eq == NULL)
		eq = memchr(b, '=', len);
	if (eq == NULL)
		return len;
	p = (size_t)(eq - b) + 1;
	for (e = p; e < len && b[e] != ';' && b[e] != '\n'; e++)
		;
	if (len - (e - p) + vl + 1 > cap)
		return len;
	memmove(b + p + 1 + vl, b + e, len - e);
	b[p] = ' ';
	memcpy(b + p + 1, v, vl);
	return len - (e - p) + vl + 1;
}

/* Takes one "name = value;" out (from the delimiter before a random '='
 * to its ';'): required settings go missing, defaults step in. */
static size_t
mutate_drop(char *b, size_t len)
{
	size_t p = len != 0 ? ss_fuzz_rnd() % len : 0, a, e;
	char *eq = memchr(b + p, '=', len - p);

	if (eq == NULL)
		return len;
	for (a = (size_t)(eq - b); a > 0 && strchr(";{(,\n", b[a - 1]) == NULL;
			a--)
		;
	for (e = (size_t)(eq - b); e < len && b[e] != ';'; e++)
		;
	if (e < len)
		e++;
	memmove(b + a, b + e, len - e);
	return len - (e - a);
}

static void
stats_print(void)
{
	printf("fuzz_cfg: %" PRIu64 " inputs (%" PRIu64 " skipped): %"
		PRIu64 " loaded, %" PRIu64 " refused with file and line, %"
		PRIu64 " refused by the lcore check; %" PRIu64 " shown; SAs "
		"applied %" PRIu64 ", refused %" PRIu64 "; SPDs built %" PRIu64
		"\n", st.inputs, st.skipped, st.loaded, st.refused,
		st.lcores_refused, st.dumps, st.applied, st.apply_refused,
		st.spd_built);
}

int
main(int argc, char **argv)
{
	const unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) :
		5000;
	static char buf[FC_MAX_TEXT + 1];
	unsigned long i;
	long replayed;
	size_t len;

	LLVMFuzzerInitialize(&argc, &argv);
	replayed = ss_fuzz_replay(argc, argv, LLVMFuzzerTestOneInput);
	if (replayed >= 0) {
		printf("fuzz_cfg: %ld inputs replayed\n", replayed);
		stats_print();
		return 0;
	}
	dict_load(SS_FUZZ_DICT);
	if (seeds.n < 3 || dict.n < 16) {
		fprintf(stderr, "fuzz_cfg: only %u seeds, %u dictionary "
			"entries\n", seeds.n, dict.n);
		return 1;
	}
	/* every seed loads as it is */
	for (i = 0; i < seeds.n; i++)
		LLVMFuzzerTestOneInput((const uint8_t *)seeds.text[i],
			seeds.len[i]);
	if (st.loaded != seeds.n || st.applied == 0 || st.spd_built == 0) {
		fprintf(stderr, "fuzz_cfg: of %u seeds %" PRIu64 " loaded, %"
			PRIu64 " applied, %" PRIu64 " SPDs built\n", seeds.n,
			st.loaded, st.applied, st.spd_built);
		return 1;
	}
	printf("fuzz_cfg: %u seeds, %lu iterations\n", seeds.n, iters);
	for (i = 0; i < iters; i++) {
		const unsigned int k = ss_fuzz_rnd() % seeds.n;
		const unsigned int o = ss_fuzz_rnd() % seeds.n;
		unsigned int m = 1 + ss_fuzz_rnd() % 4;

		memcpy(buf, seeds.text[k], seeds.len[k]);
		len = seeds.len[k];
		while (m-- > 0) {
			const uint32_t r = ss_fuzz_rnd() % 8;

			if (r < 5 && dict.n != 0)
				len = mutate_value(buf, len, FC_MAX_TEXT);
			else if (r == 5)
				len = mutate_drop(buf, len);
			else
				len = ss_fuzz_mutate((uint8_t *)buf, len,
					FC_MAX_TEXT,
					(const uint8_t *)seeds.text[o],
					seeds.len[o]);
		}
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	}
	stats_print();
	printf("fuzz_cfg: done, no crash\n");
	return 0;
}
#endif
