/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* lib/config: every kind of refusal gives its exact "file:line: path:
 * what" message; good files give the expected values; the shipped
 * default and examples load; getters; address text forms; dump. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf, open_memstream */
#endif
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <check.h>
#include <rte_log.h>

#include "ss_config.h"

/* Too big for the stack of a Check test. */
static struct ss_config cfg;
static struct ss_cfg_error err;

/* The smallest good file; variants below change one thing. */
#define PORT_A "ports = ( { name = \"a\"; device = \"net_null0\"; " \
	"addresses = ( \"192.0.2.1/24\" ); } );\n"
#define SERVERS_1 "servers = ( { id = 1; lcore = 1; } );\n"

static void
teardown(void)
{
	ss_cfg_free(&cfg);
	ss_cfg_unregister_all();
}

/* Load text that must be refused with exactly 'msg'. */
static void
expect_err(const char *text, const char *msg)
{
	int ret = ss_cfg_load_string(text, "t.cfg", &cfg, &err);

	ck_assert_msg(ret == -EINVAL, "accepted (ret %d): %s", ret, text);
	ck_assert_str_eq(err.msg, msg);
	ck_assert(!cfg.lc_valid);
}

static void
expect_ok(const char *text)
{
	int ret = ss_cfg_load_string(text, "t.cfg", &cfg, &err);

	ck_assert_msg(ret == 0, "refused: %s", err.msg);
}

static char *
source_path(const char *rel)
{
	const char *root = getenv("SS_SOURCE_ROOT");
	char *p;

	ck_assert_msg(root != NULL, "SS_SOURCE_ROOT not set");
	ck_assert(asprintf(&p, "%s/%s", root, rel) > 0);
	return p;
}

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert(buf != NULL);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static const char *
ip_s(const struct ss_ipaddr *a)
{
	static char buf[4][64];
	static unsigned int i;

	return ss_ipaddr_str(a, buf[i++ % 4], sizeof(buf[0]));
}

static const char *
pfx_s(const struct ss_prefix *p)
{
	static char buf[4][64];
	static unsigned int i;

	return ss_prefix_str(p, buf[i++ % 4], sizeof(buf[0]));
}

static int
keep_section(const struct ss_config *c, const config_setting_t *s,
	void *arg, struct ss_cfg_error *e);

/* ---- error kinds ------------------------------------------------------ */

START_TEST(test_err_syntax)
{
	expect_err("ports = (\n  { name = \"a\"; }\nservers = 3;\n",
		"t.cfg:3: syntax error");
	expect_err("a = \"abc\n", "t.cfg:2: syntax error");
	expect_err(PORT_A SERVERS_1 "mbufs = 2000;\nmbufs = 3000;\n",
		"t.cfg:4: syntax error: duplicate setting name");
}
END_TEST

START_TEST(test_err_type)
{
	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		"  mtu = \"1500\"; } );\n" SERVERS_1,
		"t.cfg:2: ports.[0].mtu: expected an integer, got a string");
	expect_err(PORT_A SERVERS_1 "instance_bits = 4.0;\n",
		"t.cfg:3: instance_bits: expected an integer, got a float");
	expect_err("ports = ( { name = 7; device = \"d\"; } );\n" SERVERS_1,
		"t.cfg:1: ports.[0].name: expected a string, got an integer");
	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		" promiscuous = 1; } );\n" SERVERS_1,
		"t.cfg:2: ports.[0].promiscuous: expected a boolean, got an integer");
	expect_err("ports = { name = \"a\"; };\n" SERVERS_1,
		"t.cfg:1: ports: expected a list, got a group");
	expect_err("ports = ( \"a\" );\n" SERVERS_1,
		"t.cfg:1: ports.[0]: expected a group, got a string");
	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		" addresses = ( \"192.0.2.1/24\",\n 5 ); } );\n" SERVERS_1,
		"t.cfg:3: ports.[0].addresses.[1]: expected a string, got an integer");
	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		" addresses = \"192.0.2.1/24\"; } );\n" SERVERS_1,
		"t.cfg:2: ports.[0].addresses: expected a list of strings, got a string");
}
END_TEST

START_TEST(test_err_range)
{
	expect_err("ports = (\n { name = \"a\"; device = \"d\"; },\n"
		" { name = \"b\"; device = \"e\";\n   mtu = 70000; }\n);\n"
		SERVERS_1,
		"t.cfg:4: ports.[1].mtu: must be 68..9600, got 70000");
	expect_err(PORT_A SERVERS_1 "instance_bits = 9;\n",
		"t.cfg:3: instance_bits: must be 1..8, got 9");
	expect_err(PORT_A SERVERS_1 "mbufs = 1022;\n",
		"t.cfg:3: mbufs: must be 1023..1048575, got 1022");
	expect_err(PORT_A SERVERS_1 "arp_hold_ms = 0;\n",
		"t.cfg:3: arp_hold_ms: must be 1..10000, got 0");
	expect_err(PORT_A SERVERS_1 "icmp_rate = 0;\n",
		"t.cfg:3: icmp_rate: must be 1..1000000, got 0");
	expect_err(PORT_A SERVERS_1 "arp_hold_pkts = 1025;\n",
		"t.cfg:3: arp_hold_pkts: must be 1..1024, got 1025");
	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		" rx_desc = 1000; } );\n" SERVERS_1,
		"t.cfg:2: ports.[0].rx_desc: must be a power of two in 64..4096, got 1000");
	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		" tx_desc = 8192; } );\n" SERVERS_1,
		"t.cfg:2: ports.[0].tx_desc: must be a power of two in 64..4096, got 8192");
	expect_err("ports = ( { name = \"a\"; device = \"d\"; mtu = 1000;\n"
		" addresses = ( \"2001:db8::1/64\" ); } );\n" SERVERS_1,
		"t.cfg:1: ports.[0].mtu: must be at least 1280 on a port with IPv6 addresses, got 1000");
	expect_err(PORT_A "servers = ( { id = 1; lcore = 0; } );\n",
		"t.cfg:2: servers.[0].lcore: must be 1..127, got 0");
	expect_err(PORT_A "servers = ( );\n",
		"t.cfg:2: servers: must have 1..64 entries, got 0");
	expect_err("ports = ( );\n" SERVERS_1,
		"t.cfg:1: ports: must have 1..8 entries, got 0");
	expect_err("ports = ( {name=\"a\";device=\"d\";}, {name=\"b\";device=\"d\";},\n"
		"{name=\"c\";device=\"d\";}, {name=\"d\";device=\"d\";},\n"
		"{name=\"e\";device=\"d\";}, {name=\"f\";device=\"d\";},\n"
		"{name=\"g\";device=\"d\";}, {name=\"h\";device=\"d\";},\n"
		"{name=\"i\";device=\"d\";} );\n" SERVERS_1,
		"t.cfg:1: ports: must have 1..8 entries, got 9");
}
END_TEST

START_TEST(test_err_unknown)
{
	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		"  mtux = 1500; } );\n" SERVERS_1,
		"t.cfg:2: ports.[0]: unknown setting 'mtux'");
	expect_err(PORT_A SERVERS_1 "\nipsec = { };\n",
		"t.cfg:4: unknown setting 'ipsec'");
	expect_err(PORT_A "servers = ( { id = 1; lcore = 1; cpu = 2; } );\n",
		"t.cfg:2: servers.[0]: unknown setting 'cpu'");
	expect_err(PORT_A SERVERS_1 "routes = ( { dst = \"10.0.0.0/8\";\n"
		" port = \"a\"; gw = \"192.0.2.9\"; } );\n",
		"t.cfg:4: routes.[0]: unknown setting 'gw'");
}
END_TEST

START_TEST(test_err_missing)
{
	expect_err(SERVERS_1, "t.cfg: missing required setting 'ports'");
	expect_err(PORT_A, "t.cfg: missing required setting 'servers'");
	expect_err("ports = (\n  { name = \"a\";\n    mtu = 1500; } );\n"
		SERVERS_1,
		"t.cfg:2: ports.[0]: missing required setting 'device'");
	expect_err(PORT_A "servers = ( { id = 1; },\n { lcore = 1; } );\n",
		"t.cfg:2: servers.[0]: missing required setting 'lcore'");
	expect_err(PORT_A "servers = ( { lcore = 1; } );\n",
		"t.cfg:2: servers.[0]: missing required setting 'id'");
	expect_err(PORT_A SERVERS_1 "neighbours = (\n { port = \"a\"; "
		"ip = \"192.0.2.2\"; } );\n",
		"t.cfg:4: neighbours.[0]: missing required setting 'mac'");
	expect_err(PORT_A SERVERS_1 "routes = (\n { dst = \"10.0.0.0/8\"; } );\n",
		"t.cfg:4: routes.[0]: missing required setting 'port' (a route without 'via' is on-link)");
}
END_TEST

START_TEST(test_err_servers)
{
	expect_err(PORT_A "servers = (\n { id = 1; lcore = 1; },\n"
		" { id = 2; lcore = 1; },\n { id = 1; lcore = 2; } );\n",
		"t.cfg:5: servers.[2].id: duplicate instance-id 1 (first at line 3)");
	expect_err(PORT_A "servers = ( { id = 16; lcore = 1; } );\n",
		"t.cfg:2: servers.[0].id: id 16 is out of range for instance_bits = 4 (0..15)");
	expect_err(PORT_A "instance_bits = 1;\n"
		"servers = ( { id = 0; lcore = 1; }, { id = 2; lcore = 1; } );\n",
		"t.cfg:3: servers.[1].id: id 2 is out of range for instance_bits = 1 (0..1)");
	expect_err(PORT_A "servers = ( { id = -1; lcore = 1; } );\n",
		"t.cfg:2: servers.[0].id: id -1 is out of range for instance_bits = 4 (0..15)");
	/* 8 bits: ids 0..255 all accepted; several ids on one lcore. */
	expect_ok(PORT_A "instance_bits = 8;\n"
		"servers = ( { id = 0; lcore = 3; }, { id = 255; lcore = 3; } );\n");
	ck_assert_uint_eq(cfg.nb_servers, 2);
	ck_assert_uint_eq(cfg.servers[1].id, 255);
	ck_assert_uint_eq(cfg.servers[1].lcore, 3);
}
END_TEST

START_TEST(test_err_addresses)
{
	static const struct {
		const char *addr;
		const char *msg;
	} bad[] = {
		{ "192.0.2.1", "invalid prefix '192.0.2.1' (expected ADDRESS/LENGTH)" },
		{ "192.0.2.300/24", "invalid prefix '192.0.2.300/24' (expected ADDRESS/LENGTH)" },
		{ "192.0.2.1/33", "invalid prefix '192.0.2.1/33' (expected ADDRESS/LENGTH)" },
		{ "2001:db8::1/129", "invalid prefix '2001:db8::1/129' (expected ADDRESS/LENGTH)" },
		{ "192.0.2.0/24", "192.0.2.0/24 is a network address (host part is zero)" },
		{ "192.0.2.255/24", "192.0.2.255/24 is the broadcast address" },
		{ "224.0.0.1/24", "224.0.0.1/24 is not a unicast address" },
		{ "0.0.0.0/8", "0.0.0.0/8 is not a unicast address" },
		{ "192.0.2.1/0", "prefix length of 192.0.2.1/0 must be 1..32" },
		{ "ff02::1/64", "ff02::1/64 is not a unicast address" },
		{ "::/64", "::/64 is not a unicast address" },
	};
	char text[512], msg[256];
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		snprintf(text, sizeof(text), "ports = ( { name = \"a\";\n"
			" device = \"d\";\n addresses = ( \"10.0.0.1/8\",\n"
			" \"%s\" ); } );\n" SERVERS_1, bad[i].addr);
		snprintf(msg, sizeof(msg), "t.cfg:4: ports.[0].addresses.[1]: %s",
			bad[i].msg);
		expect_err(text, msg);
	}
	/* /31 and /32 have no network or broadcast address. */
	expect_ok("ports = ( { name = \"a\"; device = \"d\"; addresses = ("
		" \"10.0.0.0/31\", \"10.0.1.0/32\" ); } );\n" SERVERS_1);
	ss_cfg_free(&cfg);
	expect_err("ports = ( { name = \"a\"; device = \"d\"; addresses = (\n"
		"\"10.0.0.1/8\", \"10.0.0.2/8\", \"10.0.0.3/8\", \"10.0.0.4/8\",\n"
		"\"2001:db8::1/64\",\n\"10.0.0.5/8\" ); } );\n" SERVERS_1,
		"t.cfg:4: ports.[0].addresses.[5]: too many IPv4 addresses (at most 4 per port)");
	expect_err("ports = ( { name = \"a\"; device = \"d\"; addresses = (\n"
		"\"10.0.0.1/8\", \"10.0.0.1/16\" ); } );\n" SERVERS_1,
		"t.cfg:2: ports.[0].addresses.[1]: address 10.0.0.1/16 is already on port 'a'");
	expect_err(PORT_A "ports2 = 1;\n" SERVERS_1,
		"t.cfg:2: unknown setting 'ports2'");
	expect_err("ports = ( " "{ name = \"a\"; device = \"d\"; addresses = ("
		" \"192.0.2.1/24\" ); },\n { name = \"b\"; device = \"e\";\n"
		" addresses = ( \"192.0.2.77/25\" ); } );\n" SERVERS_1,
		"t.cfg:3: ports.[1].addresses.[0]: 192.0.2.77/25 overlaps 192.0.2.1/24 on port 'a'");
}
END_TEST

START_TEST(test_err_ports)
{
	expect_err("ports = ( { name = \"Inside\"; device = \"d\"; } );\n"
		SERVERS_1,
		"t.cfg:1: ports.[0].name: invalid port name 'Inside' (use a-z, 0-9, '_', '-')");
	expect_err("ports = ( { name = \"\"; device = \"d\"; } );\n" SERVERS_1,
		"t.cfg:1: ports.[0].name: invalid port name '' (use a-z, 0-9, '_', '-')");
	expect_err("ports = ( { name = \"a\"; device = \"d\"; },\n"
		" { name = \"a\"; device = \"e\"; } );\n" SERVERS_1,
		"t.cfg:2: ports.[1].name: duplicate port name 'a' (first at line 1)");
	expect_err("ports = ( { name = \"a\"; device = \"\"; } );\n" SERVERS_1,
		"t.cfg:1: ports.[0].device: must not be empty");
	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		" mac = \"02:00:00:00:01\"; } );\n" SERVERS_1,
		"t.cfg:2: ports.[0].mac: invalid MAC address '02:00:00:00:01' (expected xx:xx:xx:xx:xx:xx)");
	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		" mac = \"01:00:5e:00:00:01\"; } );\n" SERVERS_1,
		"t.cfg:2: ports.[0].mac: must be a unicast address, got 01:00:5e:00:00:01");
	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		" mac = \"00:00:00:00:00:00\"; } );\n" SERVERS_1,
		"t.cfg:2: ports.[0].mac: must be a unicast address, got 00:00:00:00:00:00");
}
END_TEST

START_TEST(test_err_neigh_routes)
{
	expect_err(PORT_A SERVERS_1 "neighbours = ( { port = \"b\";\n"
		" ip = \"192.0.2.2\"; mac = \"02:00:00:00:00:02\"; } );\n",
		"t.cfg:3: neighbours.[0].port: unknown port 'b' (ports: a)");
	expect_err(PORT_A SERVERS_1 "neighbours = ( { port = \"a\";\n"
		" ip = \"192.0.3.2\"; mac = \"02:00:00:00:00:02\"; } );\n",
		"t.cfg:4: neighbours.[0].ip: 192.0.3.2 is not in a connected prefix of port 'a'");
	expect_err(PORT_A SERVERS_1 "neighbours = ( { port = \"a\";\n"
		" ip = \"192.0.2\"; mac = \"02:00:00:00:00:02\"; } );\n",
		"t.cfg:4: neighbours.[0].ip: invalid IP address '192.0.2'");
	expect_err(PORT_A SERVERS_1 "neighbours = ( { port = \"a\"; ip = \"192.0.2.2\";\n"
		" mac = \"ff:ff:ff:ff:ff:ff\"; } );\n",
		"t.cfg:4: neighbours.[0].mac: must be a unicast address, got ff:ff:ff:ff:ff:ff");
	expect_err(PORT_A SERVERS_1 "neighbours = (\n"
		" { port = \"a\"; ip = \"192.0.2.2\"; mac = \"02:00:00:00:00:02\"; },\n"
		" { port = \"a\"; ip = \"192.0.2.2\"; mac = \"02:00:00:00:00:03\"; } );\n",
		"t.cfg:5: neighbours.[1].ip: duplicate neighbour 192.0.2.2 on port 'a' (first at line 4)");
	expect_err(PORT_A SERVERS_1 "routes = ( { dst = \"10.0.0.0/8\";\n"
		" port = \"outside\"; } );\n",
		"t.cfg:4: routes.[0].port: unknown port 'outside' (ports: a)");
	expect_err(PORT_A SERVERS_1 "routes = ( { dst = \"10.0.0.0/8\";\n"
		" via = \"2001:db8::1\"; } );\n",
		"t.cfg:4: routes.[0].via: family of via (IPv6) does not match dst (IPv4)");
	expect_err(PORT_A SERVERS_1 "routes = ( { dst = \"10.1.2.3/8\"; via = \"192.0.2.2\"; } );\n",
		"t.cfg:3: routes.[0].dst: 10.1.2.3/8 has host bits set (network is 10.0.0.0/8)");
	expect_err(PORT_A SERVERS_1 "routes = ( { dst = \"2001:db8:5::1/48\"; port = \"a\"; } );\n",
		"t.cfg:3: routes.[0].dst: 2001:db8:5::1/48 has host bits set (network is 2001:db8:5::/48)");
	expect_err(PORT_A SERVERS_1 "routes = ( { dst = \"10.0.0.0\"; port = \"a\"; } );\n",
		"t.cfg:3: routes.[0].dst: invalid prefix '10.0.0.0' (expected ADDRESS/LENGTH)");
	expect_err(PORT_A SERVERS_1 "routes = ( { dst = \"10.0.0.0/8\";\n"
		" via = \"198.51.100.2\"; } );\n",
		"t.cfg:4: routes.[0].via: 198.51.100.2 is not in a connected prefix of any port (set 'port')");
	expect_err(PORT_A SERVERS_1 "routes = ( { dst = \"10.0.0.0/8\";\n"
		" via = \"198.51.100.2\"; port = \"a\"; } );\n",
		"t.cfg:4: routes.[0].via: 198.51.100.2 is not in a connected prefix of port 'a'");
	expect_err(PORT_A SERVERS_1 "routes = (\n"
		" { dst = \"10.0.0.0/8\"; via = \"192.0.2.2\"; },\n"
		" { dst = \"10.0.0.0/8\"; via = \"192.0.2.3\"; } );\n",
		"t.cfg:5: routes.[1].dst: duplicate route 10.0.0.0/8 (first at line 4)");
	expect_err(PORT_A SERVERS_1 "poll_mode = \"fast\";\n",
		"t.cfg:3: poll_mode: must be one of \"busy\", \"adaptive\"; got \"fast\"");
	expect_err(PORT_A SERVERS_1 "log_level = \"verbose\";\n",
		"t.cfg:3: log_level: must be one of \"emerg\", \"alert\", \"crit\", "
		"\"err\", \"warning\", \"notice\", \"info\", \"debug\"; got \"verbose\"");
}
END_TEST

START_TEST(test_err_file)
{
	char path[] = "/tmp/ss_test_cfg_XXXXXX";
	char expect[256];
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("# comment\n" PORT_A "servers = (\n { id = 1;\n  lcore = 1.5; } );\n",
		f);
	fclose(f);
	ck_assert_int_eq(ss_cfg_load(path, &cfg, &err), -EINVAL);
	snprintf(expect, sizeof(expect),
		"%s:5: servers.[0].lcore: expected an integer, got a float", path);
	ck_assert_str_eq(err.msg, expect);
	ck_assert_str_eq(err.file, path);
	ck_assert_int_eq(err.line, 5);
	ck_assert_str_eq(err.path, "servers.[0].lcore");
	unlink(path);
	ck_assert_int_eq(ss_cfg_load(path, &cfg, &err), -ENOENT);
	snprintf(expect, sizeof(expect),
		"%s: cannot read: No such file or directory", path);
	ck_assert_str_eq(err.msg, expect);
}
END_TEST

/* libconfig 1.5 wraps big literals silently: they are refused. */
START_TEST(test_wrapped_ints)
{
	const config_setting_t *t = NULL;
	int64_t v;

	expect_err("ports = ( { name = \"a\"; device = \"d\";\n"
		" mtu = 4294968796; } );\n" SERVERS_1,
		"t.cfg:2: syntax error: integer 4294968796 does not fit in 32 "
		"bits (write 4294968796L)");
	expect_err(PORT_A SERVERS_1 "# 99999999999 in a comment is fine\n"
		"/* 99999999999\n */ x = \"99999999999\";\n"
		"mbufs = -2147483649;\n",
		"t.cfg:6: syntax error: integer -2147483649 does not fit in 32 "
		"bits (write -2147483649L)");
	expect_err(PORT_A SERVERS_1 "\nmbufs = 0x100000000;\n",
		"t.cfg:4: syntax error: integer 0x100000000 does not fit in 32 "
		"bits (write 0x100000000L)");
	/* names with digits, floats, L suffixes and big hex that fits are
	 * not flagged; a hex literal keeps its bits */
	ck_assert_int_eq(ss_cfg_register_section("t", keep_section, &t), 0);
	expect_ok(PORT_A SERVERS_1 "t = { a99999999999 = 1; f = 1.5e300;"
		" g = 99999999999.5; big = 99999999999L; h = 0xffffffff;"
		" h2 = 0x00000000c0000001; m = -2147483648; };\n");
	ck_assert_int_eq(ss_cfg_get_int(t, "h", true, 0, UINT32_MAX, &v, &err),
		0);
	ck_assert_int_eq(v, 0xffffffffLL);
	ck_assert_int_eq(ss_cfg_get_int(t, "h2", true, 0, UINT32_MAX, &v,
		&err), 0);
	ck_assert_int_eq(v, 0xc0000001LL);
	ck_assert_int_eq(ss_cfg_get_int(t, "big", true, 0, INT64_MAX, &v,
		&err), 0);
	ck_assert_int_eq(v, 99999999999LL);
	ck_assert_int_eq(ss_cfg_get_int(t, "m", true, INT64_MIN, 0, &v, &err),
		0);
	ck_assert_int_eq(v, INT32_MIN);
}
END_TEST

START_TEST(test_empty_file)
{
	char path[] = "/tmp/ss_test_cfg_XXXXXX";
	char expect[256];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ss_cfg_load(path, &cfg, &err), -EINVAL);
	snprintf(expect, sizeof(expect),
		"%s: missing required setting 'ports'", path);
	ck_assert_str_eq(err.msg, expect);
	unlink(path);
	ck_assert_int_eq(ss_cfg_load_string("", "e.cfg", &cfg, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "e.cfg: missing required setting 'ports'");
	ck_assert_int_eq(ss_cfg_load_string(NULL, "e.cfg", &cfg, &err),
		-EINVAL);
	ck_assert_int_eq(ss_cfg_load("/nonexistent/dir/x.cfg", &cfg, &err),
		-ENOENT);
}
END_TEST

/* An @include'd file reports its own name and lines. */
START_TEST(test_include)
{
	char dir[] = "/tmp/ss_test_cfgd_XXXXXX";
	char main_p[128], inc_p[128];
	FILE *f;

	ck_assert(mkdtemp(dir) != NULL);
	snprintf(main_p, sizeof(main_p), "%s/main.cfg", dir);
	snprintf(inc_p, sizeof(inc_p), "%s/servers.cfg", dir);
	f = fopen(main_p, "w");
	fputs(PORT_A "@include \"servers.cfg\"\n", f);
	fclose(f);
	f = fopen(inc_p, "w");
	fputs("servers = ( { id = 3; lcore = 4; } );\n", f);
	fclose(f);
	ck_assert_msg(ss_cfg_load(main_p, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cfg.servers[0].id, 3);
	ss_cfg_free(&cfg);
	f = fopen(inc_p, "w");
	fputs("\nservers = ( { id = 3; lcore = 400; } );\n", f);
	fclose(f);
	ck_assert_int_eq(ss_cfg_load(main_p, &cfg, &err), -EINVAL);
	/* libconfig names an included file as the @include line does */
	ck_assert_str_eq(err.msg,
		"servers.cfg:2: servers.[0].lcore: must be 1..127, got 400");
	ck_assert_str_eq(err.file, "servers.cfg");
	ck_assert_int_eq(err.line, 2);
	unlink(inc_p);
	unlink(main_p);
	rmdir(dir);
}
END_TEST

/* ---- good files ------------------------------------------------------- */

START_TEST(test_good_values)
{
	static const char text[] =
		"instance_bits = 6; mbufs = 4095; poll_mode = \"adaptive\";\n"
		"arp_hold_ms = 250; arp_hold_pkts = 8; log_level = \"debug\";"
		" icmp_rate = 50;\n"
		"ports = (\n"
		" { name = \"in-1\"; device = \"net_af_packet0,iface=x\"; mtu = 9000;\n"
		"   addresses = ( \"192.0.2.1/24\", \"2001:db8:1::1/64\" );\n"
		"   mac = \"02:AA:bb:00:01:01\"; promiscuous = false;\n"
		"   rx_desc = 512; tx_desc = 2048; },\n"
		" { name = \"out_2\"; device = \"0000:03:00.0\";\n"
		"   addresses = ( \"198.51.100.1/24\", \"2001:db8:2::1/64\" ); }\n"
		");\n"
		"servers = ( { id = 63; lcore = 1; }, { id = 0; lcore = 1; } );\n"
		"neighbours = ( { port = \"out_2\"; ip = \"198.51.100.2\";\n"
		"   mac = \"02-00-00-00-02-02\"; },\n"
		" { port = \"in-1\"; ip = \"fe80::1\"; mac = \"02:00:00:00:02:03\"; } );\n"
		"routes = (\n"
		" { dst = \"203.0.113.0/24\"; via = \"198.51.100.2\"; },\n"
		" { dst = \"2001:db8:3::/64\"; via = \"2001:db8:1::9\"; },\n"
		" { dst = \"10.0.0.0/8\"; port = \"in-1\"; },\n"
		" { dst = \"0.0.0.0/0\"; via = \"192.0.2.254\"; port = \"in-1\"; } );\n";
	const struct ss_cfg_port *p;

	expect_ok(text);
	ck_assert_str_eq(cfg.source, "t.cfg");
	ck_assert_uint_eq(cfg.instance_bits, 6);
	ck_assert_uint_eq(cfg.mbufs, 4095);
	ck_assert_int_eq(cfg.poll_mode, SS_CFG_POLL_ADAPTIVE);
	ck_assert_uint_eq(cfg.arp_hold_ms, 250);
	ck_assert_uint_eq(cfg.arp_hold_pkts, 8);
	ck_assert_uint_eq(cfg.icmp_rate, 50);
	ck_assert_uint_eq(cfg.log_level, RTE_LOG_DEBUG);
	ck_assert_uint_eq(cfg.nb_ports, 2);
	p = &cfg.ports[0];
	ck_assert_str_eq(p->name, "in-1");
	ck_assert_str_eq(p->device, "net_af_packet0,iface=x");
	ck_assert_uint_eq(p->mtu, 9000);
	ck_assert_uint_eq(p->nb_addrs, 2);
	ck_assert_str_eq(pfx_s(&p->addrs[0]), "192.0.2.1/24");
	ck_assert_str_eq(pfx_s(&p->addrs[1]), "2001:db8:1::1/64");
	ck_assert(p->has_mac);
	ck_assert_uint_eq(p->mac.addr_bytes[1], 0xaa);
	ck_assert_uint_eq(p->mac.addr_bytes[5], 0x01);
	ck_assert(!p->promiscuous);
	ck_assert_uint_eq(p->rx_desc, 512);
	ck_assert_uint_eq(p->tx_desc, 2048);
	ck_assert_uint_eq(p->line, 4);
	p = &cfg.ports[1];
	ck_assert_str_eq(p->device, "0000:03:00.0");
	ck_assert_uint_eq(p->mtu, 1500);
	ck_assert(!p->has_mac);
	ck_assert(p->promiscuous);
	ck_assert_uint_eq(p->rx_desc, 1024);
	ck_assert_uint_eq(p->tx_desc, 1024);
	ck_assert_uint_eq(cfg.nb_servers, 2);
	ck_assert_uint_eq(cfg.servers[0].id, 63);
	ck_assert_uint_eq(cfg.servers[1].id, 0);
	ck_assert_uint_eq(cfg.servers[1].lcore, 1);
	ck_assert_uint_eq(cfg.servers[1].line, 11);
	ck_assert_uint_eq(cfg.nb_neigh, 2);
	ck_assert_uint_eq(cfg.neigh[0].port, 1);
	ck_assert_str_eq(ip_s(&cfg.neigh[0].ip), "198.51.100.2");
	ck_assert_uint_eq(cfg.neigh[0].mac.addr_bytes[5], 0x02);
	ck_assert_uint_eq(cfg.neigh[1].port, 0);
	ck_assert_str_eq(ip_s(&cfg.neigh[1].ip), "fe80::1");
	ck_assert_uint_eq(cfg.nb_routes, 4);
	/* port resolved from the connected prefix of via */
	ck_assert_str_eq(pfx_s(&cfg.routes[0].dst), "203.0.113.0/24");
	ck_assert(cfg.routes[0].has_via);
	ck_assert_str_eq(ip_s(&cfg.routes[0].via), "198.51.100.2");
	ck_assert_uint_eq(cfg.routes[0].port, 1);
	ck_assert_uint_eq(cfg.routes[1].port, 0);
	ck_assert_uint_eq(cfg.routes[1].via.family, AF_INET6);
	ck_assert(!cfg.routes[2].has_via);
	ck_assert_uint_eq(cfg.routes[2].port, 0);
	ck_assert_uint_eq(cfg.routes[3].dst.len, 0);
	ck_assert_uint_eq(cfg.routes[3].port, 0);
}
END_TEST

START_TEST(test_defaults)
{
	expect_ok(PORT_A SERVERS_1);
	ck_assert_uint_eq(cfg.instance_bits, 4);
	ck_assert_uint_eq(cfg.mbufs, 16383);
	ck_assert_int_eq(cfg.poll_mode, SS_CFG_POLL_BUSY);
	ck_assert_uint_eq(cfg.arp_hold_ms, 1000);
	ck_assert_uint_eq(cfg.arp_hold_pkts, 64);
	ck_assert_uint_eq(cfg.icmp_rate, 1000);
	ck_assert_uint_eq(cfg.log_level, 0);
	ck_assert_uint_eq(cfg.nb_neigh, 0);
	ck_assert_uint_eq(cfg.nb_routes, 0);
	ck_assert(cfg.lc_valid);
	ss_cfg_free(&cfg);
	ck_assert(!cfg.lc_valid);
	ss_cfg_free(&cfg);	/* twice is harmless */
	/* empty optional lists, either bracket */
	expect_ok(PORT_A SERVERS_1 "neighbours = ( );\nroutes = [ ];\n");
	ck_assert_uint_eq(cfg.nb_routes, 0);
}
END_TEST

START_TEST(test_default_cfg)
{
	char *path = source_path("config/default.cfg");
	char *text = read_all(path);

	/* the embedded default is this file's text */
	ck_assert_msg(ss_cfg_load_string(text, "<embedded default>", &cfg,
		&err) == 0, "%s", err.msg);
	ck_assert_str_eq(cfg.source, "<embedded default>");
	ck_assert_uint_eq(cfg.nb_ports, 2);
	ck_assert_str_eq(cfg.ports[0].name, "inside");
	ck_assert_str_eq(cfg.ports[0].device,
		"net_af_packet0,iface=ssgw-in,qpairs=3");
	ck_assert_str_eq(pfx_s(&cfg.ports[0].addrs[0]), "192.0.2.1/24");
	ck_assert_str_eq(pfx_s(&cfg.ports[0].addrs[1]), "2001:db8:1::1/64");
	ck_assert_str_eq(cfg.ports[1].name, "outside");
	ck_assert_str_eq(cfg.ports[1].device,
		"net_af_packet1,iface=ssgw-out,qpairs=3");
	ck_assert_str_eq(pfx_s(&cfg.ports[1].addrs[0]), "198.51.100.1/24");
	ck_assert_str_eq(pfx_s(&cfg.ports[1].addrs[1]), "2001:db8:2::1/64");
	ck_assert_uint_eq(cfg.nb_servers, 2);
	ck_assert_uint_eq(cfg.servers[0].id, 1);
	ck_assert_uint_eq(cfg.servers[0].lcore, 1);
	ck_assert_uint_eq(cfg.servers[1].id, 2);
	ck_assert_uint_eq(cfg.servers[1].lcore, 2);
	ck_assert_uint_eq(cfg.instance_bits, 4);
	ck_assert_int_eq(cfg.poll_mode, SS_CFG_POLL_ADAPTIVE);
	ck_assert_uint_eq(cfg.nb_routes, 2);
	ck_assert_str_eq(pfx_s(&cfg.routes[0].dst), "203.0.113.0/24");
	ck_assert_str_eq(ip_s(&cfg.routes[0].via), "198.51.100.2");
	ck_assert_uint_eq(cfg.routes[0].port, 1);
	ck_assert_str_eq(pfx_s(&cfg.routes[1].dst), "2001:db8:3::/64");
	ck_assert_str_eq(ip_s(&cfg.routes[1].via), "2001:db8:2::2");
	ck_assert_uint_eq(cfg.routes[1].port, 1);
	ss_cfg_free(&cfg);
	/* and as a file */
	ck_assert_msg(ss_cfg_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(cfg.source, path);
	free(text);
	free(path);
}
END_TEST

START_TEST(test_examples)
{
	char *dir = source_path("config/examples");
	const char *want[] = { "gateway-2servers.cfg",
		"gateway-4servers-2lcores.cfg", "real-nic.cfg" };
	unsigned int found = 0, n = 0, i;
	struct dirent *de;
	DIR *d = opendir(dir);

	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *p;

		if (len < 5 || strcmp(de->d_name + len - 4, ".cfg") != 0)
			continue;
		ck_assert(asprintf(&p, "%s/%s", dir, de->d_name) > 0);
		ck_assert_msg(ss_cfg_load(p, &cfg, &err) == 0, "%s", err.msg);
		ck_assert_uint_ge(cfg.nb_ports, 1);
		ck_assert_uint_ge(cfg.nb_servers, 1);
		for (i = 0; i < RTE_DIM(want); i++)
			if (strcmp(de->d_name, want[i]) == 0)
				found |= 1u << i;
		if (strcmp(de->d_name, "gateway-4servers-2lcores.cfg") == 0) {
			ck_assert_uint_eq(cfg.nb_servers, 4);
			ck_assert_uint_eq(cfg.servers[0].lcore,
				cfg.servers[1].lcore);
		}
		if (strcmp(de->d_name, "gateway-2servers.cfg") == 0)
			ck_assert_int_eq(cfg.poll_mode, SS_CFG_POLL_BUSY);
		ss_cfg_free(&cfg);
		free(p);
		n++;
	}
	closedir(d);
	ck_assert_uint_eq(found, 7);
	ck_assert_uint_ge(n, 3);
	free(dir);
}
END_TEST

/* ---- lcores ---------------------------------------------------------- */

static uint64_t enabled_mask;

static bool
lcore_in_mask(unsigned int lcore)
{
	return lcore < 64 && (enabled_mask >> lcore & 1) != 0;
}

START_TEST(test_check_lcores)
{
	expect_ok(PORT_A "servers = (\n { id = 1; lcore = 1; },\n"
		" { id = 2; lcore = 1; },\n { id = 3;\n   lcore = 5; } );\n");
	enabled_mask = 0x23;	/* 0, 1, 5 */
	ck_assert_int_eq(ss_cfg_check_lcores(&cfg, lcore_in_mask, 0, &err), 0);
	enabled_mask = 0x03;
	ck_assert_int_eq(ss_cfg_check_lcores(&cfg, lcore_in_mask, 0, &err),
		-EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:6: servers.[2].lcore: lcore 5 is "
		"not enabled in EAL (use -l/--lcores)");
	enabled_mask = 0x23;
	ck_assert_int_eq(ss_cfg_check_lcores(&cfg, lcore_in_mask, 1, &err),
		-EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:3: servers.[0].lcore: lcore 1 is "
		"the main (control) lcore");
	/* without the tree: file and stored line of the entry */
	ss_cfg_free(&cfg);
	enabled_mask = 0x03;
	ck_assert_int_eq(ss_cfg_check_lcores(&cfg, lcore_in_mask, 0, &err),
		-EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:5: servers.[2].lcore: lcore 5 is "
		"not enabled in EAL (use -l/--lcores)");
}
END_TEST

/* ---- registered sections and getters --------------------------------- */

struct sec_seen {
	unsigned int calls;
	const config_setting_t *section;
	int64_t spi;
	const struct ss_config *cfg;
};

static int
sec_parse(const struct ss_config *c, const config_setting_t *s, void *arg,
	struct ss_cfg_error *e)
{
	static const char *const keys[] = { "spi", "key", NULL };
	struct sec_seen *seen = arg;
	uint8_t key[16];

	seen->calls++;
	seen->section = s;
	seen->cfg = c;
	/* core sections are parsed first */
	if (c->nb_ports == 0)
		return ss_cfg_fail(e, s, "core not parsed yet");
	if (s == NULL)
		return 0;
	if (ss_cfg_check_keys(s, keys, e) < 0 ||
			ss_cfg_get_int(s, "spi", true, 256, UINT32_MAX,
				&seen->spi, e) < 0 ||
			ss_cfg_get_hex(s, "key", false, key, sizeof(key),
				NULL, e) < 0)
		return -EINVAL;
	return 0;
}

static int
sec_fail_quiet(const struct ss_config *c, const config_setting_t *s,
	void *arg, struct ss_cfg_error *e)
{
	RTE_SET_USED(c);
	RTE_SET_USED(s);
	RTE_SET_USED(arg);
	RTE_SET_USED(e);
	return -ENOTSUP;
}

static void
sec_dump(const struct ss_config *c, const config_setting_t *s, void *arg,
	FILE *f)
{
	const struct sec_seen *seen = arg;

	RTE_SET_USED(c);
	fprintf(f, "ipsec = { spi = %" PRId64 "; }; # %s\n", seen->spi,
		s == NULL ? "absent" : "present");
}

START_TEST(test_sections)
{
	struct sec_seen seen = { 0 }, other = { 0 };

	ck_assert_int_eq(ss_cfg_register_section("ipsec", sec_parse, &seen), 0);
	ck_assert_int_eq(ss_cfg_register_section("macsec", sec_parse, &other), 0);
	ck_assert_int_eq(ss_cfg_register_section("ipsec", sec_parse, &seen),
		-EEXIST);
	ck_assert_int_eq(ss_cfg_register_section("ports", sec_parse, &seen),
		-EEXIST);
	ck_assert_int_eq(ss_cfg_register_section("x", NULL, &seen), -EINVAL);
	ck_assert_int_eq(ss_cfg_register_section_dump("nope", sec_dump),
		-ENOENT);
	ck_assert_int_eq(ss_cfg_register_section_dump("ipsec", sec_dump), 0);

	expect_ok(PORT_A SERVERS_1 "ipsec = { spi = 4096; };\n");
	ck_assert_uint_eq(seen.calls, 1);
	ck_assert_ptr_nonnull(seen.section);
	ck_assert_ptr_eq(seen.cfg, &cfg);
	ck_assert_int_eq(seen.spi, 4096);
	ck_assert_uint_eq(other.calls, 1);
	ck_assert_ptr_null(other.section);	/* absent: called with NULL */
	ss_cfg_free(&cfg);

	expect_err(PORT_A SERVERS_1 "ipsec = {\n  spi = 5; };\n",
		"t.cfg:4: ipsec.spi: must be 256..4294967295, got 5");
	expect_err(PORT_A SERVERS_1 "ipsec = { spi = 300;\n  life = 5; };\n",
		"t.cfg:4: ipsec: unknown setting 'life'");
	expect_err(PORT_A SERVERS_1 "ipsec = { };\n",
		"t.cfg:3: ipsec: missing required setting 'spi'");
	expect_err(PORT_A SERVERS_1 "ipsec = { spi = 300;\n"
		" key = \"0x00112233445566778899aabbccddee\"; };\n",
		"t.cfg:4: ipsec.key: expected 16 bytes of hex, got 15");
	/* a secret value is never quoted back */
	ck_assert_ptr_null(strstr(err.msg, "0011"));
	expect_err(PORT_A SERVERS_1 "ipsec = { spi = 300;\n"
		" key = \"0x0011223344556677889zaabbccddeeff\"; };\n",
		"t.cfg:4: ipsec.key: invalid hex string (expected pairs of hex "
		"digits, optional 0x prefix and ':' between bytes)");
	ck_assert_ptr_null(strstr(err.msg, "0011"));

	/* a parser that fails without saying why still gives a message */
	ss_cfg_unregister_all();
	ck_assert_int_eq(ss_cfg_register_section("ike", sec_fail_quiet, NULL), 0);
	ck_assert_int_eq(ss_cfg_load_string(PORT_A SERVERS_1
		"ike = { };\n", "t.cfg", &cfg, &err), -ENOTSUP);
	ck_assert_str_eq(err.msg, "t.cfg:3: ike: section 'ike' refused "
		"(Operation not supported)");
	/* unregistered, the name is unknown again */
	ss_cfg_unregister_all();
	expect_err(PORT_A SERVERS_1 "ike = { };\n",
		"t.cfg:3: unknown setting 'ike'");
}
END_TEST

START_TEST(test_section_limit)
{
	char name[16];
	unsigned int i;

	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		ck_assert_int_eq(ss_cfg_register_section(name, sec_fail_quiet,
			NULL), 0);
	}
	ck_assert_int_eq(ss_cfg_register_section("s16", sec_fail_quiet, NULL),
		-ENOSPC);
}
END_TEST

/* Getters on a tree kept alive by a registered section. */
static int
keep_section(const struct ss_config *c, const config_setting_t *s,
	void *arg, struct ss_cfg_error *e)
{
	RTE_SET_USED(c);
	RTE_SET_USED(e);
	*(const config_setting_t **)arg = s;
	return 0;
}

START_TEST(test_getters)
{
	static const char *const colours[] = { "red", "green", NULL };
	const config_setting_t *t = NULL;
	struct rte_ether_addr mac;
	struct ss_prefix pfx;
	struct ss_ipaddr ip;
	uint8_t buf[32];
	char str[8];
	size_t len;
	int64_t v;
	bool b;
	int e;

	ck_assert_int_eq(ss_cfg_register_section("t", keep_section, &t), 0);
	expect_ok(PORT_A SERVERS_1 "t = {\n"
		" i = 42; big = 5000000000L; neg = -3; s = \"hello\";\n"
		" k32 = \"00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:"
		"00112233445566778899AABBCCDDEEFF\";\n"
		" k4 = \"0xdeadbeef\"; bad1 = \"abc\"; bad2 = \"aa::bb\"; bad3 = \"aabb:\";\n"
		" c = \"green\"; mac = \"02:00:00:00:aa:Bb\"; p = \"2001:db8::/32\";\n"
		" ip4 = \"10.1.2.3\"; flag = true; pname = \"a\"; f = 1.0;\n"
		"};\n");
	ck_assert_ptr_nonnull(t);

	/* int */
	ck_assert_int_eq(ss_cfg_get_int(t, "i", true, 0, 100, &v, &err), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(ss_cfg_get_int(t, "big", true, 0, INT64_MAX, &v,
		&err), 0);
	ck_assert_int_eq(v, 5000000000LL);
	ck_assert_int_eq(ss_cfg_get_int(t, "neg", true, -10, -1, &v, &err), 0);
	ck_assert_int_eq(v, -3);
	ck_assert_int_eq(ss_cfg_get_int(t, "i", true, 43, 100, &v, &err),
		-EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:4: t.i: must be 43..100, got 42");
	v = 77;
	ck_assert_int_eq(ss_cfg_get_int(t, "absent", false, 0, 1, &v, &err), 0);
	ck_assert_int_eq(v, 77);	/* untouched */
	ck_assert_int_eq(ss_cfg_get_int(t, "absent", true, 0, 1, &v, &err),
		-EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:3: t: missing required setting 'absent'");
	ck_assert_int_eq(ss_cfg_get_int(t, "f", true, 0, 1, &v, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:8: t.f: expected an integer, got a float");

	/* bool, str */
	ck_assert_int_eq(ss_cfg_get_bool(t, "flag", true, &b, &err), 0);
	ck_assert(b);
	ck_assert_int_eq(ss_cfg_get_bool(t, "s", true, &b, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:4: t.s: expected a boolean, got a string");
	ck_assert_int_eq(ss_cfg_get_str(t, "s", true, str, sizeof(str), &err), 0);
	ck_assert_str_eq(str, "hello");
	ck_assert_int_eq(ss_cfg_get_str(t, "s", true, str, 5, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:4: t.s: longer than 4 characters");

	/* enum */
	ck_assert_int_eq(ss_cfg_get_enum(t, "c", true, colours, &e, &err), 0);
	ck_assert_int_eq(e, 1);
	ck_assert_int_eq(ss_cfg_get_enum(t, "s", true, colours, &e, &err),
		-EINVAL);
	ck_assert_str_eq(err.msg,
		"t.cfg:4: t.s: must be one of \"red\", \"green\"; got \"hello\"");

	/* hex */
	ck_assert_int_eq(ss_cfg_get_hex(t, "k32", true, buf, 32, NULL, &err), 0);
	ck_assert_uint_eq(buf[0], 0x00);
	ck_assert_uint_eq(buf[15], 0xff);
	ck_assert_uint_eq(buf[26], 0xaa);
	ck_assert_uint_eq(buf[31], 0xff);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(ss_cfg_get_hex(t, "k4", true, buf, 32, &len, &err), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_eq(buf[0], 0xde);
	ck_assert_uint_eq(buf[3], 0xef);
	ck_assert_int_eq(ss_cfg_get_hex(t, "k32", true, buf, 16, &len, &err),
		-EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:5: t.k32: expected 1..16 bytes of hex, got 32");
	ck_assert_int_eq(ss_cfg_get_hex(t, "bad1", true, buf, 16, &len, &err),
		-EINVAL);
	ck_assert_int_eq(ss_cfg_get_hex(t, "bad2", true, buf, 16, &len, &err),
		-EINVAL);
	ck_assert_int_eq(ss_cfg_get_hex(t, "bad3", true, buf, 16, &len, &err),
		-EINVAL);
	ck_assert_str_eq(err.path, "t.bad3");

	/* mac, prefix, ip */
	ck_assert_int_eq(ss_cfg_get_mac(t, "mac", true, &mac, &err), 0);
	ck_assert_uint_eq(mac.addr_bytes[0], 0x02);
	ck_assert_uint_eq(mac.addr_bytes[4], 0xaa);
	ck_assert_uint_eq(mac.addr_bytes[5], 0xbb);
	ck_assert_int_eq(ss_cfg_get_mac(t, "s", true, &mac, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:4: t.s: invalid MAC address 'hello' "
		"(expected xx:xx:xx:xx:xx:xx)");
	ck_assert_int_eq(ss_cfg_get_prefix(t, "p", true, &pfx, &err), 0);
	ck_assert_str_eq(pfx_s(&pfx), "2001:db8::/32");
	ck_assert_int_eq(ss_cfg_get_prefix(t, "ip4", true, &pfx, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:8: t.ip4: invalid prefix '10.1.2.3' "
		"(expected ADDRESS/LENGTH)");
	ck_assert_int_eq(ss_cfg_get_ip(t, "ip4", true, &ip, &err), 0);
	ck_assert_uint_eq(ip.family, AF_INET);
	ck_assert_uint_eq(ip.v4, htonl(0x0a010203));
	ck_assert_int_eq(ss_cfg_get_ip(t, "p", true, &ip, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:7: t.p: invalid IP address '2001:db8::/32'");

	/* port */
	uint8_t port = 9;
	ck_assert_int_eq(ss_cfg_get_port(&cfg, t, "pname", true, &port, &err), 0);
	ck_assert_uint_eq(port, 0);
	ck_assert_int_eq(ss_cfg_get_port(&cfg, t, "s", true, &port, &err),
		-EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:4: t.s: unknown port 'hello' (ports: a)");
	ck_assert_int_eq(ss_cfg_port_index(&cfg, "a"), 0);
	ck_assert_int_eq(ss_cfg_port_index(&cfg, "b"), -1);

	/* check_keys, fail */
	static const char *const few[] = { "i", "big", NULL };
	ck_assert_int_eq(ss_cfg_check_keys(t, few, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:4: t: unknown setting 'neg'");
	ck_assert_int_eq(ss_cfg_fail(&err, NULL, "plain %d", 5), -EINVAL);
	ck_assert_str_eq(err.msg, "plain 5");
	ck_assert_int_eq(err.line, 0);
	ck_assert_int_eq(ss_cfg_fail(&err, config_setting_get_member(t, "c"),
		"bad colour"), -EINVAL);
	ck_assert_str_eq(err.msg, "t.cfg:7: t.c: bad colour");
	ck_assert_str_eq(err.file, "t.cfg");
	ck_assert_int_eq(err.line, 7);
	ck_assert_str_eq(err.path, "t.c");
}
END_TEST

/* ---- address text forms ------------------------------------------------ */

START_TEST(test_addr_text)
{
	static const struct {
		const char *in;
		const char *out;
	} good[] = {
		{ "192.0.2.1", "192.0.2.1" },
		{ "0.0.0.0", "0.0.0.0" },
		{ "255.255.255.255", "255.255.255.255" },
		{ "2001:db8::1", "2001:db8::1" },
		{ "2001:DB8:0:0:0:0:0:1", "2001:db8::1" },
		{ "::", "::" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ "fe80::1:2:3:4", "fe80::1:2:3:4" },
	};
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4",
		"01.2.3.4", "2001:db8:::1", "fe80::1%eth0", "g::1", "1.2.3.4/24",
		"2001:db8:0:0:0:0:0:0:1",
	};
	static const struct {
		const char *in;
		const char *out;
	} good_p[] = {
		{ "192.0.2.1/24", "192.0.2.1/24" },
		{ "0.0.0.0/0", "0.0.0.0/0" },
		{ "10.0.0.0/32", "10.0.0.0/32" },
		{ "2001:db8::/32", "2001:db8::/32" },
		{ "::/0", "::/0" },
		{ "2001:db8::1/128", "2001:db8::1/128" },
	};
	static const char *const bad_p[] = {
		"192.0.2.1", "192.0.2.1/", "/24", "192.0.2.1/33", "::/129",
		"1.2.3.4/2a", "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/0008",
		"1.2.3/8", "1.2.3.4/8/8", "",
	};
	struct ss_ipaddr a, b;
	struct ss_prefix p;
	char buf[64];
	unsigned int i;

	for (i = 0; i < RTE_DIM(good); i++) {
		ck_assert_msg(ss_ipaddr_parse(good[i].in, &a) == 0, "%s",
			good[i].in);
		ck_assert_str_eq(ip_s(&a), good[i].out);
		/* round trip */
		ck_assert_int_eq(ss_ipaddr_parse(ip_s(&a), &b), 0);
		ck_assert(ss_ipaddr_equal(&a, &b));
		ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	}
	for (i = 0; i < RTE_DIM(bad); i++)
		ck_assert_msg(ss_ipaddr_parse(bad[i], &a) == -EINVAL,
			"accepted '%s'", bad[i]);
	for (i = 0; i < RTE_DIM(good_p); i++) {
		ck_assert_msg(ss_prefix_parse(good_p[i].in, &p) == 0, "%s",
			good_p[i].in);
		ck_assert_str_eq(pfx_s(&p), good_p[i].out);
	}
	for (i = 0; i < RTE_DIM(bad_p); i++)
		ck_assert_msg(ss_prefix_parse(bad_p[i], &p) == -EINVAL,
			"accepted '%s'", bad_p[i]);
	/* v4 in network byte order; v4 never equals its v6-mapped form */
	ck_assert_int_eq(ss_ipaddr_parse("192.0.2.1", &a), 0);
	ck_assert_uint_eq(a.v4, htonl(0xc0000201));
	ck_assert_int_eq(ss_ipaddr_parse("::ffff:192.0.2.1", &b), 0);
	ck_assert(!ss_ipaddr_equal(&a, &b));
	/* short buffers and bad families never crash */
	ck_assert_str_eq(ss_ipaddr_str(&a, buf, 4), "?");
	a.family = 99;
	ck_assert_str_eq(ss_ipaddr_str(&a, buf, sizeof(buf)), "?");
	/* MAC text */
	struct rte_ether_addr m;
	ck_assert_int_eq(ss_mac_parse("02:00:5E:10:00:01", &m), 0);
	ck_assert_uint_eq(m.addr_bytes[2], 0x5e);
	ck_assert_int_eq(ss_mac_parse("02-00-5e-10-00-01", &m), 0);
	ck_assert_int_eq(ss_mac_parse("02:00-5e:10:00:01", &m), -EINVAL);
	ck_assert_int_eq(ss_mac_parse("02:00:5e:10:00:01:", &m), -EINVAL);
	ck_assert_int_eq(ss_mac_parse("0200.5e10.0001", &m), -EINVAL);
	ck_assert_int_eq(ss_mac_parse("02:00:5e:10:00:0g", &m), -EINVAL);
}
END_TEST

START_TEST(test_prefix_contains)
{
	static const struct {
		const char *pfx;
		const char *ip;
		bool in;
	} cases[] = {
		{ "192.0.2.0/24", "192.0.2.255", true },
		{ "192.0.2.0/24", "192.0.3.0", false },
		{ "192.0.2.1/24", "192.0.2.7", true },	/* host bits ignored */
		{ "10.0.0.0/8", "10.255.1.1", true },
		{ "10.0.0.0/9", "10.128.0.1", false },
		{ "0.0.0.0/0", "203.0.113.9", true },
		{ "0.0.0.0/0", "2001:db8::1", false },
		{ "192.0.2.1/32", "192.0.2.1", true },
		{ "192.0.2.1/32", "192.0.2.2", false },
		{ "2001:db8::/32", "2001:db8:ffff::1", true },
		{ "2001:db8::/33", "2001:db8:8000::1", false },
		{ "2001:db8::/33", "2001:db8:7fff::1", true },
		{ "::/0", "::1", true },
		{ "2001:db8::1/128", "2001:db8::1", true },
		{ "2001:db8::1/127", "2001:db8::", true },
		{ "2001:db8::1/128", "2001:db8::", false },
	};
	struct ss_prefix p;
	struct ss_ipaddr a;
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		ck_assert_int_eq(ss_prefix_parse(cases[i].pfx, &p), 0);
		ck_assert_int_eq(ss_ipaddr_parse(cases[i].ip, &a), 0);
		ck_assert_msg(ss_prefix_contains(&p, &a) == cases[i].in,
			"%s in %s", cases[i].ip, cases[i].pfx);
	}
}
END_TEST

/* ---- dump --------------------------------------------------------------- */

START_TEST(test_dump_roundtrip)
{
	static struct ss_config again;
	struct sec_seen seen = { .spi = 777 };
	char *path = source_path("config/default.cfg");
	char *text = read_all(path), *out = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f;

	expect_ok(text);
	f = open_memstream(&out, &len);
	ss_cfg_dump(&cfg, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "poll_mode = \"adaptive\";"));
	ck_assert_ptr_nonnull(strstr(out, "name = \"outside\"; device = "
		"\"net_af_packet1,iface=ssgw-out,qpairs=3\"; mtu = 1500;"));
	ck_assert_ptr_nonnull(strstr(out, "{ dst = \"203.0.113.0/24\"; "
		"via = \"198.51.100.2\"; port = \"outside\"; }"));
	ck_assert_msg(ss_cfg_load_string(out, "dump", &again, &err) == 0,
		"%s\n%s", err.msg, out);
	ck_assert_uint_eq(again.nb_ports, cfg.nb_ports);
	for (i = 0; i < cfg.nb_ports; i++) {
		ck_assert_str_eq(again.ports[i].name, cfg.ports[i].name);
		ck_assert_str_eq(again.ports[i].device, cfg.ports[i].device);
		ck_assert_uint_eq(again.ports[i].nb_addrs, cfg.ports[i].nb_addrs);
		ck_assert_int_eq(memcmp(again.ports[i].addrs, cfg.ports[i].addrs,
			sizeof(cfg.ports[i].addrs)), 0);
		ck_assert_uint_eq(again.ports[i].mtu, cfg.ports[i].mtu);
	}
	ck_assert_uint_eq(again.nb_servers, cfg.nb_servers);
	for (i = 0; i < cfg.nb_servers; i++) {
		ck_assert_uint_eq(again.servers[i].id, cfg.servers[i].id);
		ck_assert_uint_eq(again.servers[i].lcore, cfg.servers[i].lcore);
	}
	ck_assert_uint_eq(again.nb_routes, cfg.nb_routes);
	ck_assert_int_eq(memcmp(&again.routes[0].dst, &cfg.routes[0].dst,
		sizeof(cfg.routes[0].dst)), 0);
	ck_assert_int_eq(again.poll_mode, cfg.poll_mode);
	ck_assert_uint_eq(again.mbufs, cfg.mbufs);
	ss_cfg_free(&again);
	free(out);
	ss_cfg_free(&cfg);

	/* everything non-default survives too, and sections print */
	ck_assert_int_eq(ss_cfg_register_section("ipsec", sec_parse, &seen), 0);
	ck_assert_int_eq(ss_cfg_register_section("macsec", sec_parse, &seen), 0);
	ck_assert_int_eq(ss_cfg_register_section_dump("ipsec", sec_dump), 0);
	expect_ok("log_level = \"notice\"; instance_bits = 2;\n"
		"ports = ( { name = \"p\"; device = \"a\\\"b\\\\c\"; "
		"mac = \"02:00:00:00:00:09\"; promiscuous = false; rx_desc = 64;"
		" mtu = 1400; addresses = ( \"192.0.2.1/24\" ); } );\n"
		"servers = ( { id = 3; lcore = 7; } );\n"
		"neighbours = ( { port = \"p\"; ip = \"192.0.2.9\"; "
		"mac = \"02:00:00:00:00:0a\"; } );\n"
		"routes = ( { dst = \"0.0.0.0/0\"; via = \"192.0.2.9\"; } );\n"
		"ipsec = { spi = 4660; key = \"00112233445566778899aabbccddeeff\"; };\n");
	f = open_memstream(&out, &len);
	ss_cfg_dump(&cfg, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "ipsec = { spi = 4660; }; # present"));
	ck_assert_ptr_nonnull(strstr(out, "# macsec: not configured"));
	ck_assert_ptr_null(strstr(out, "00112233"));	/* no key material */
	ss_cfg_unregister_all();
	ss_cfg_register_section("ipsec", keep_section, &seen.section);
	ck_assert_msg(ss_cfg_load_string(out, "dump", &again, &err) == 0,
		"%s\n%s", err.msg, out);
	ck_assert_str_eq(again.ports[0].device, "a\"b\\c");
	ck_assert(again.ports[0].has_mac);
	ck_assert(!again.ports[0].promiscuous);
	ck_assert_uint_eq(again.ports[0].rx_desc, 64);
	ck_assert_uint_eq(again.ports[0].mtu, 1400);
	ck_assert_uint_eq(again.log_level, RTE_LOG_NOTICE);
	ck_assert_uint_eq(again.instance_bits, 2);
	ck_assert_uint_eq(again.nb_neigh, 1);
	ck_assert_int_eq(memcmp(&again.neigh[0].mac, &cfg.neigh[0].mac, 6), 0);
	ck_assert_uint_eq(again.routes[0].port, 0);
	ck_assert(again.routes[0].has_via);
	ss_cfg_free(&again);
	free(out);
	free(text);
	free(path);
}
END_TEST

/* Nothing a file can say makes the loader crash: every truncation of a
 * good file either loads or gives a located message. */
START_TEST(test_truncations)
{
	char *path = source_path("config/default.cfg");
	char *text = read_all(path);
	size_t n = strlen(text), i;
	char *cut = malloc(n + 1);

	for (i = 0; i < n; i += 7) {
		int ret;

		memcpy(cut, text, i);
		cut[i] = '\0';
		ret = ss_cfg_load_string(cut, "cut.cfg", &cfg, &err);
		if (ret == 0) {
			ss_cfg_free(&cfg);
			continue;
		}
		ck_assert_int_eq(ret, -EINVAL);
		ck_assert_msg(strncmp(err.msg, "cut.cfg", 7) == 0, "%s",
			err.msg);
	}
	free(cut);
	free(text);
	free(path);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_err_syntax);
	tcase_add_test(tc, test_err_type);
	tcase_add_test(tc, test_err_range);
	tcase_add_test(tc, test_err_unknown);
	tcase_add_test(tc, test_err_missing);
	tcase_add_test(tc, test_err_servers);
	tcase_add_test(tc, test_err_addresses);
	tcase_add_test(tc, test_err_ports);
	tcase_add_test(tc, test_err_neigh_routes);
	tcase_add_test(tc, test_err_file);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_wrapped_ints);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_good_values);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_default_cfg);
	tcase_add_test(tc, test_examples);
	tcase_add_test(tc, test_check_lcores);
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_section_limit);
	tcase_add_test(tc, test_getters);
	tcase_add_test(tc, test_addr_text);
	tcase_add_test(tc, test_prefix_contains);
	tcase_add_test(tc, test_dump_roundtrip);
	tcase_add_test(tc, test_truncations);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
