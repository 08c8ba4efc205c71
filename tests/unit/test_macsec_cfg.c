/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The "macsec" configuration section (app/macsec_cfg.c): the documented
 * example loads with every value; each bad setting is refused with file,
 * line and path, never quoting a CAK; "show config" never prints one. */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "macsec_priv.h"
#include "ss_app_macsec.h"
#include "ss_config.h"

static struct ss_config cfg;
static struct ss_cfg_error err;

#define CAK16 "0x135bd758b0ee5c11c55ff6ab19fdb199"
#define CAK32 "0x135bd758b0ee5c11c55ff6ab19fdb199" \
	"0c0d0e0f1011121314151617aabbccdd"

static const char base[] =
	"ports = ( { name = \"in\"; device = \"net_null0\"; },\n"
	"  { name = \"out\"; device = \"net_null1\"; } );\n"
	"servers = ( { id = 1; lcore = 1; }, { id = 3; lcore = 2; } );\n";

static void
setup(void)
{
	ss_cfg_unregister_all();
	ck_assert_int_eq(ss_app_macsec_register(NULL), 0);
}

static void
teardown(void)
{
	ss_cfg_free(&cfg);
	ss_cfg_unregister_all();
}

/* Load base + section; returns the result, err filled. */
static int
load(const char *section)
{
	char *text;
	int ret;

	ck_assert(asprintf(&text, "%s%s", base, section) > 0);
	memset(&err, 0, sizeof(err));
	ret = ss_cfg_load_string(text, "m.cfg", &cfg, &err);
	free(text);
	return ret;
}

static void
refused(const char *section, const char *want)
{
	ck_assert_msg(load(section) < 0, "accepted: %s", section);
	ck_assert_msg(strstr(err.msg, want) != NULL, "got '%s', want '%s'",
		err.msg, want);
	/* no key in any message */
	ck_assert_ptr_null(strstr(err.msg, "135bd758"));
}

START_TEST(test_example)
{
	const char *root = getenv("SS_SOURCE_ROOT");
	const struct ss_app_msec_cfg *c;
	char *path;

	ck_assert_ptr_nonnull(root);
	ck_assert(asprintf(&path, "%s/config/examples/macsec/macsec-link.cfg",
		root) > 0);
	ck_assert_msg(ss_cfg_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(ss_app_macsec_nb_ports(), 1);
	c = &ss_app_macsec_port(0)->c;
	ck_assert_uint_eq(c->port, 1);
	ck_assert_uint_eq(c->cak_len, 16);
	ck_assert_uint_eq(c->cak[0], 0x13);
	ck_assert_uint_eq(c->ckn_len, 16);
	ck_assert_uint_eq(c->ckn[15], 0x7d);
	ck_assert_int_eq(c->cipher, SS_MACSEC_GCM_AES_XPN_128);
	ck_assert(c->confidentiality);
	ck_assert_uint_eq(c->priority, 16);
	ck_assert_uint_eq(c->replay_window, 0);
	ck_assert_int_eq(c->validate, SS_MACSEC_VALIDATE_STRICT);
	ck_assert_uint_eq(c->hello_ms, 2000);
	ck_assert_uint_eq(c->life_ms, 6000);
	ck_assert_uint_eq(c->sak_rekey_s, 3600);
	ck_assert_uint_eq(c->cak_renew_s, 86400);
	ck_assert_uint_eq(c->server, 2);
	free(path);
}
END_TEST

START_TEST(test_defaults)
{
	const struct ss_app_msec_cfg *c;

	ck_assert_msg(load("macsec = { ports = ( { port = \"out\"; cak = \""
		CAK16 "\"; ckn = \"0x01\"; } ); };\n") == 0, "%s", err.msg);
	ck_assert_uint_eq(ss_app_macsec_nb_ports(), 1);
	c = &ss_app_macsec_port(0)->c;
	ck_assert_int_eq(c->cipher, SS_MACSEC_GCM_AES_128);
	ck_assert(c->confidentiality);
	ck_assert_uint_eq(c->priority, 16);
	ck_assert_uint_eq(c->port_id, 1);
	ck_assert_int_eq(c->validate, SS_MACSEC_VALIDATE_STRICT);
	ck_assert_uint_eq(c->hello_ms, 2000);
	ck_assert_uint_eq(c->life_ms, 6000);
	ck_assert_uint_eq(c->server, 1);	/* the first server's id */
	ck_assert_uint_eq(c->hold_packets, 128);
	ck_assert_uint_eq(c->hold_ms, 5000);
	ck_assert_uint_eq(c->ckn_len, 1);
	ck_assert_ptr_eq(ss_app_macsec_by_port(1), ss_app_macsec_port(0));
	ck_assert_ptr_null(ss_app_macsec_by_port(0));
	ss_cfg_free(&cfg);
	/* no section: no MACsec port */
	ck_assert_int_eq(load(""), 0);
	ck_assert_uint_eq(ss_app_macsec_nb_ports(), 0);
	/* a 256-bit cipher with a 32-byte CAK */
	ss_cfg_free(&cfg);
	ck_assert_msg(load("macsec = { ports = ( { port = \"in\"; cak = \""
		CAK32 "\"; ckn = \"0x0102\"; cipher = \"gcm-aes-xpn-256\"; "
		"validate = \"check\"; confidentiality = false; server = 3; "
		"} ); };\n") == 0, "%s", err.msg);
	c = &ss_app_macsec_port(0)->c;
	ck_assert_int_eq(c->cipher, SS_MACSEC_GCM_AES_XPN_256);
	ck_assert_uint_eq(c->cak_len, 32);
	ck_assert(!c->confidentiality);
	ck_assert_int_eq(c->validate, SS_MACSEC_VALIDATE_CHECK);
	ck_assert_uint_eq(c->server, 3);
}
END_TEST

START_TEST(test_errors)
{
	refused("macsec = { ports = ( { port = \"out\"; cak = \"0x1122\"; "
		"ckn = \"0x01\"; } ); };\n",
		"m.cfg:4: macsec.ports.[0].cak: a CAK is 16 or 32 bytes, got 2");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"zz\"; ckn = \"0x01\"; } ); };\n",
		"macsec.ports.[0].cak: invalid hex string");
	refused("macsec = { ports = ( { port = \"out\"; ckn = \"0x01\"; } ); "
		"};\n", "missing required setting 'cak'");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; } ); };\n", "missing required setting 'ckn'");
	refused("macsec = { ports = ( { port = \"oot\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; } ); };\n", "unknown port 'oot'");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; cipher = \"gcm-aes-256\"; } ); };\n",
		"macsec.ports.[0].cipher: gcm-aes-256 needs a 32-byte CAK");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; cipher = \"aes-cbc\"; } ); };\n",
		"macsec.ports.[0].cipher");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; priority = 256; } ); };\n",
		"macsec.ports.[0].priority");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; port_id = 0; } ); };\n",
		"macsec.ports.[0].port_id");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; replay_window = 5000; } ); };\n",
		"macsec.ports.[0].replay_window");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; validate = \"loose\"; } ); };\n",
		"macsec.ports.[0].validate");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; hello_ms = 2000; life_ms = 1000; } ); "
		"};\n", "life_ms (1000) must exceed hello_ms (2000)");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; server = 2; } ); };\n",
		"macsec.ports.[0].server: no server has instance-id 2");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; mtu = 1500; } ); };\n",
		"unknown setting 'mtu'");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; },\n { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x02\"; } ); };\n",
		"m.cfg:5: macsec.ports.[1].port: port 'out' is already a "
		"MACsec port (line 4)");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; hold_packets = 5000; } ); };\n",
		"macsec.ports.[0].hold_packets");
	refused("macsec = { ports = ( { port = \"out\"; cak = \"" CAK16
		"\"; ckn = \"0x01\"; hold_ms = 0; } ); };\n",
		"macsec.ports.[0].hold_ms");
	refused("macsec = { };\n", "missing required setting 'ports'");
	refused("macsec = { ports = 3; };\n", "expected a list");
	refused("macsec = { portz = (); };\n", "unknown setting 'portz'");
	/* a refused file leaves no port behind, and no CAK */
	ck_assert_uint_eq(ss_app_macsec_nb_ports(), 0);
	ck_assert_uint_eq(ss_app_msec_state.p[0].c.cak[0], 0);
}
END_TEST

START_TEST(test_dump_no_key)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(load("macsec = { ports = ( { port = \"out\"; cak = \""
		CAK16 "\"; ckn = \"0xabcd\"; } ); };\n") == 0, "%s", err.msg);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ss_cfg_dump(&cfg, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "macsec = {"));
	ck_assert_ptr_nonnull(strstr(buf, "ckn = \"0xabcd\""));
	ck_assert_ptr_nonnull(strstr(buf, "not shown"));
	ck_assert_ptr_null(strstr(buf, "135bd758"));
	ck_assert_ptr_null(strstr(buf, "135BD758"));
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("macsec_cfg");
	TCase *tc = tcase_create("macsec_cfg");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_example);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_dump_no_key);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
