/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The "lb" configuration section (app/lb_cfg.c): the documented example
 * loads with every value; each bad setting is refused with file, line
 * and path; a refused file leaves no load balancer behind. */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ss_app_lb.h"
#include "ss_config.h"

static struct ss_config cfg;
static struct ss_cfg_error err;

static const char base[] =
	"instance_bits = 3;\n"
	"ports = ( { name = \"in\"; device = \"net_null0\";\n"
	"  addresses = ( \"192.0.2.1/24\", \"2001:db8:1::1/64\" ); },\n"
	"  { name = \"out\"; device = \"net_null1\"; } );\n"
	"servers = ( { id = 1; lcore = 1; } );\n";	/* line 5 */

#define BK "backends = ( { id = 1; mac = \"02:00:00:00:01:01\"; }, " \
	"{ id = 2; mac = \"02:00:00:00:01:02\"; } );"

static void
setup(void)
{
	ss_cfg_unregister_all();
	ck_assert_int_eq(ss_app_lb_register(NULL), 0);
}

static void
teardown(void)
{
	ss_cfg_free(&cfg);
	ss_cfg_unregister_all();
}

static int
load(const char *section)
{
	char *text;
	int ret;

	ck_assert(asprintf(&text, "%s%s", base, section) > 0);
	memset(&err, 0, sizeof(err));
	ret = ss_cfg_load_string(text, "l.cfg", &cfg, &err);
	free(text);
	return ret;
}

static void
refused(const char *section, const char *want)
{
	ck_assert_msg(load(section) < 0, "accepted: %s", section);
	ck_assert_msg(strstr(err.msg, want) != NULL, "got '%s', want '%s'",
		err.msg, want);
	ck_assert_uint_eq(ss_app_lb_cfg.nb_backends, 0);
}

START_TEST(test_example)
{
	const char *root = getenv("SS_SOURCE_ROOT");
	const struct ss_app_lb_cfg *c = &ss_app_lb_cfg;
	char *path;

	ck_assert_ptr_nonnull(root);
	ck_assert(asprintf(&path, "%s/config/examples/lb/lb-2backends.cfg",
		root) > 0);
	ck_assert_msg(ss_cfg_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c->nb_vips, 2);
	ck_assert_uint_eq(c->vips[0].family, AF_INET);
	ck_assert_uint_eq(c->vips[0].v4, htonl(0xc633640a));	/* .10 */
	ck_assert_uint_eq(c->vips[1].family, AF_INET6);
	ck_assert_uint_eq(c->vips[1].v6[15], 0x10);
	ck_assert_uint_eq(c->port, 0);
	ck_assert_uint_eq(c->ike_backend, 1);
	ck_assert_uint_eq(c->nb_backends, 2);
	ck_assert_uint_eq(c->b[0].id, 1);
	ck_assert_uint_eq(c->b[1].id, 2);
	ck_assert_uint_eq(c->b[1].mac.addr_bytes[5], 0x02);
	ck_assert_uint_eq(c->b[0].mac.addr_bytes[0], 0x02);
	ck_assert_uint_eq(c->b[0].weight, 1);
	ck_assert_uint_eq(c->b[1].weight, 2);
	ck_assert_uint_eq(c->b[1].ip.family, AF_INET);
	ck_assert_uint_eq(c->health_ms, 1000);
	free(path);
}
END_TEST

START_TEST(test_defaults)
{
	const struct ss_app_lb_cfg *c = &ss_app_lb_cfg;

	/* no section: no load balancer */
	ck_assert_int_eq(load(""), 0);
	ck_assert_uint_eq(c->nb_backends, 0);
	ss_cfg_free(&cfg);
	/* ike_backend defaults to the first backend; id 7 fits 3 bits */
	ck_assert_msg(load("lb = { vips = [ \"203.0.113.9\" ]; port = \"out\"; "
		"backends = ( { id = 7; mac = \"02:00:00:00:00:07\"; }, "
		"{ id = 0; mac = \"02-00-00-00-00-08\"; } ); };\n") == 0, "%s",
		err.msg);
	ck_assert_uint_eq(c->nb_vips, 1);
	ck_assert_uint_eq(c->port, 1);
	ck_assert_uint_eq(c->ike_backend, 7);
	ck_assert_uint_eq(c->nb_backends, 2);
	ck_assert_uint_eq(c->b[1].id, 0);
	ck_assert_uint_eq(c->b[1].mac.addr_bytes[5], 8);
	ck_assert(c->announce);		/* the VIPs are held by default */
	ss_cfg_free(&cfg);
	ck_assert_msg(load("lb = { vips = [ \"203.0.113.9\" ]; port = \"out\"; "
		"announce = false; backends = ( { id = 7; mac = "
		"\"02:00:00:00:00:07\"; } ); };\n") == 0, "%s", err.msg);
	ck_assert(!c->announce);
	/* health checks: every second, down after 3, up after 2 */
	ck_assert_uint_eq(c->health_ms, 1000);
	ck_assert_uint_eq(c->health_fall, 3);
	ck_assert_uint_eq(c->health_rise, 2);
	/* connection tracking: 65536 flows per worker, 300 s idle */
	ck_assert_uint_eq(c->conn_max, 65536);
	ck_assert_uint_eq(c->conn_idle_s, 300);
	ck_assert_uint_eq(c->b[0].ip.family, 0);
	ck_assert_uint_eq(c->b[0].weight, 1);
	ss_cfg_free(&cfg);
	ck_assert_msg(load("lb = { vips = [ \"203.0.113.9\" ]; port = \"in\"; "
		"health_ms = 0; health_fall = 1; health_rise = 100;\n"
		"conn_max = 0; conn_idle_s = 86400;\n"
		"backends = ( { id = 7; mac = \"02:00:00:00:00:07\"; "
		"ip = \"192.0.2.7\"; }, { id = 6; mac = \"02:00:00:00:00:06\"; "
		"ip = \"fe80::6\"; } ); };\n") == 0, "%s", err.msg);
	ck_assert_uint_eq(c->health_ms, 0);
	ck_assert_uint_eq(c->health_fall, 1);
	ck_assert_uint_eq(c->health_rise, 100);
	ck_assert_uint_eq(c->conn_max, 0);
	ck_assert_uint_eq(c->conn_idle_s, 86400);
	ck_assert_uint_eq(c->b[0].ip.family, AF_INET);
	ck_assert_uint_eq(c->b[0].ip.v4, htonl(0xc0000207));
	ck_assert_uint_eq(c->b[1].ip.family, AF_INET6);
	ss_cfg_free(&cfg);
	/* IPv6 is asked from the port's link-local: no address needed */
	ck_assert_msg(load("lb = { vips = [ \"203.0.113.9\" ]; port = \"out\"; "
		"backends = ( { id = 7; mac = \"02:00:00:00:00:07\"; "
		"ip = \"2001:db8:9::7\"; } ); };\n") == 0, "%s", err.msg);
	ss_cfg_free(&cfg);
	refused("lb = { vips = [ \"203.0.113.9\" ]; port = \"out\"; "
		"announce = 1; backends = ( { id = 7; mac = "
		"\"02:00:00:00:00:07\"; } ); };\n", "lb.announce");
}
END_TEST

START_TEST(test_errors)
{
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\"; " BK
		" color = 1; };\n", "l.cfg:6: lb: unknown setting 'color'");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\"; "
		"backends = ( { id = 1; mac = \"02:00:00:00:01:01\"; w = 2; "
		"} ); };\n", "l.cfg:6: lb.backends.[0]: unknown setting 'w'");
	refused("lb = {\n vips = ( \"198.51.100.10\",\n \"198.51.100.300\" "
		");\n port = \"in\"; " BK " };\n",
		"l.cfg:8: lb.vips.[1]: invalid IP address '198.51.100.300'");
	refused("lb = { vips = ( 42 ); port = \"in\"; " BK " };\n",
		"lb.vips.[0]: invalid IP address (expected a string)");
	refused("lb = { vips = ( \"198.51.100.10\", \"2001:db8:2::10\",\n"
		"\"2001:DB8:2:0::10\" ); port = \"in\"; " BK " };\n",
		"l.cfg:7: lb.vips.[2]: duplicate VIP '2001:DB8:2:0::10' "
		"(also vips.[1])");
	refused("lb = { vips = ( \"198.51.100.10\", \"2001:db8:1::1\" ); "
		"port = \"in\"; " BK " };\n",
		"lb.vips.[1]: '2001:db8:1::1' is an address of port 'in'");
	refused("lb = { vips = ( \"192.0.2.1\" ); port = \"in\"; " BK " };\n",
		"lb.vips.[0]: '192.0.2.1' is an address of port 'in'");
	refused("lb = { vips = ( ); port = \"in\"; " BK " };\n",
		"lb.vips: 1 to 16 VIPs, got 0");
	refused("lb = { vips = ( \"10.0.0.1\", \"10.0.0.2\", \"10.0.0.3\", "
		"\"10.0.0.4\", \"10.0.0.5\", \"10.0.0.6\", \"10.0.0.7\", "
		"\"10.0.0.8\", \"10.0.0.9\", \"10.0.0.10\", \"10.0.0.11\", "
		"\"10.0.0.12\", \"10.0.0.13\", \"10.0.0.14\", \"10.0.0.15\", "
		"\"10.0.0.16\", \"10.0.0.17\" ); port = \"in\"; " BK " };\n",
		"lb.vips: 1 to 16 VIPs, got 17");
	refused("lb = { port = \"in\"; " BK " };\n",
		"l.cfg:6: lb: missing required setting 'vips'");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"dmz\"; " BK
		" };\n", "lb.port: unknown port 'dmz'");
	refused("lb = { vips = ( \"198.51.100.10\" ); " BK " };\n",
		"missing required setting 'port'");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = ( { id = 1; mac = \"02:00:00:00:01:01\"; },\n"
		"{ id = 1; mac = \"02:00:00:00:01:02\"; } ); };\n",
		"l.cfg:8: lb.backends.[1].id: instance-id 1 is already a "
		"backend (line 7)");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = ( { id = 8; mac = \"02:00:00:00:01:01\"; } ); };\n",
		"l.cfg:7: lb.backends.[0].id");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = ( { id = -1; mac = \"02:00:00:00:01:01\"; } ); };\n",
		"lb.backends.[0].id");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = ( { id = 1; mac = \"02:00:00:00:01\"; } ); };\n",
		"l.cfg:7: lb.backends.[0].mac: invalid MAC address");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = ( { id = 1; mac = \"01:00:5e:00:00:01\"; } ); };\n",
		"lb.backends.[0].mac: a backend's MAC must be a unicast address");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = ( { id = 1; } ); };\n",
		"missing required setting 'mac'");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = ( ); };\n", "lb.backends: 1 to 64 backends, got 0");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = 3; };\n", "lb.backends: expected a list");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\"; };\n",
		"missing required setting 'backends'");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"ike_backend = 3; " BK " };\n",
		"l.cfg:7: lb.ike_backend: no backend has instance-id 3");
	refused("lb = 5;\n", "lb: expected a group");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = ( { id = 1; mac = \"02:00:00:00:01:01\";\n"
		"ip = \"192.0.2.300\"; } ); };\n",
		"l.cfg:8: lb.backends.[0].ip: invalid IP address '192.0.2.300'");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"out\";\n"
		"backends = ( { id = 1; mac = \"02:00:00:00:01:01\";\n"
		"ip = \"192.0.2.5\"; } ); };\n",
		"l.cfg:8: lb.backends.[0].ip: port 'out' has no IPv4 address "
		"to check an IPv4 backend from");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"health_ms = 5; " BK " };\n",
		"l.cfg:7: lb.health_ms: 0 (no health checks) or 10 to 3600000 "
		"ms, got 5");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"health_fall = 0; " BK " };\n", "l.cfg:7: lb.health_fall");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"health_rise = 101; " BK " };\n", "l.cfg:7: lb.health_rise");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"conn_max = 63; " BK " };\n",
		"l.cfg:7: lb.conn_max: 0 (no connection tracking) or 64 to "
		"16777216 flows, got 63");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"conn_max = 16777217; " BK " };\n", "l.cfg:7: lb.conn_max");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"conn_idle_s = 0; " BK " };\n", "l.cfg:7: lb.conn_idle_s");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = ( { id = 1; mac = \"02:00:00:00:01:01\"; "
		"weight = 1001; } ); };\n", "lb.backends.[0].weight");
	refused("lb = { vips = ( \"198.51.100.10\" ); port = \"in\";\n"
		"backends = ( { id = 1; mac = \"02:00:00:00:01:01\"; "
		"health = 2; } ); };\n", "health");
}
END_TEST

START_TEST(test_dump)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(load("lb = { vips = ( \"198.51.100.10\", "
		"\"2001:db8:2::10\" ); port = \"in\"; ike_backend = 2; " BK
		" };\n") == 0, "%s", err.msg);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ss_cfg_dump(&cfg, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "lb = {"));
	ck_assert_ptr_nonnull(strstr(buf,
		"vips = ( \"198.51.100.10\", \"2001:db8:2::10\" );"));
	ck_assert_ptr_nonnull(strstr(buf, "port = \"in\";"));
	ck_assert_ptr_nonnull(strstr(buf, "ike_backend = 2;"));
	ck_assert_ptr_nonnull(strstr(buf,
		"{ id = 2; mac = \"02:00:00:00:01:02\"; weight = 1; }"));
	ck_assert_ptr_nonnull(strstr(buf, "health_ms = 1000;"));
	free(buf);
	ss_cfg_free(&cfg);
	/* a dumped file loads back the same */
	ck_assert_msg(load("lb = { vips = ( \"198.51.100.10\" ); port = "
		"\"in\"; health_fall = 4; conn_max = 1024; conn_idle_s = 30; "
		"backends = ( { id = 1; mac = "
		"\"02:00:00:00:01:01\"; ip = \"192.0.2.11\"; weight = 0; } ); "
		"};\n") == 0,
		"%s", err.msg);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ss_cfg_dump(&cfg, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "health_fall = 4;"));
	ck_assert_ptr_nonnull(strstr(buf, "conn_max = 1024;"));
	ck_assert_ptr_nonnull(strstr(buf, "conn_idle_s = 30;"));
	ck_assert_ptr_nonnull(strstr(buf,
		"{ id = 1; mac = \"02:00:00:00:01:01\"; weight = 0; "
		"ip = \"192.0.2.11\"; }"));
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lb_cfg");
	TCase *tc = tcase_create("lb_cfg");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_example);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_dump);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
