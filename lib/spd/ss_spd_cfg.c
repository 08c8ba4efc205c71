/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ss_spd.h"

static const char *const policy_keys[] = {
	"name", "src", "dst", "proto", "sport", "dport", "icmp_type",
	"icmp_code", "action", "tunnel", "priority", NULL
};

static const char *const proto_names[] = {
	"any", "icmp", "tcp", "udp", "sctp", "icmpv6", NULL
};
static const uint8_t proto_nums[] = { 0, 1, 6, 17, 132, 58 };

static const char *const action_names[] = {
	"protect", "bypass", "discard", NULL
};
static const enum ss_spd_action action_vals[] = {
	SS_SPD_PROTECT, SS_SPD_BYPASS, SS_SPD_DISCARD
};

static int
get_proto(const config_setting_t *g, uint8_t *out, struct ss_cfg_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, "proto");
	int64_t v;
	int idx, rc;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
			config_setting_type(s) == CONFIG_TYPE_INT64) {
		rc = ss_cfg_get_int(g, "proto", true, 0, 255, &v, err);
		if (rc == 0)
			*out = (uint8_t)v;
		return rc;
	}
	rc = ss_cfg_get_enum(g, "proto", true, proto_names, &idx, err);
	if (rc == 0)
		*out = proto_nums[idx];
	return rc;
}

/* N, "N" or "LO-HI"; absent: the full range. */
static int
get_range(const config_setting_t *g, const char *key, uint16_t *lo,
	uint16_t *hi, int *present, struct ss_cfg_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	unsigned long a, b;
	const char *str;
	char *end;
	int64_t v;
	int rc;

	*present = s != NULL;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
			config_setting_type(s) == CONFIG_TYPE_INT64) {
		rc = ss_cfg_get_int(g, key, true, 0, 65535, &v, err);
		if (rc == 0)
			*lo = *hi = (uint16_t)v;
		return rc;
	}
	str = config_setting_get_string(s);
	if (str == NULL)
		goto bad;
	a = strtoul(str, &end, 10);
	if (end == str || a > 65535)
		goto bad;
	b = a;
	if (*end == '-') {
		const char *p = end + 1;

		b = strtoul(p, &end, 10);
		if (end == p || b > 65535)
			goto bad;
	}
	if (*end != '\0' || a > b || str[0] == '-' || str[0] == '+' ||
			strchr(str, ' ') != NULL)
		goto bad;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
bad:
	return ss_cfg_fail(err, s, "want a port N or a range \"LO-HI\" "
		"(0 <= LO <= HI <= 65535)");
}

static int
parse_one(const config_setting_t *g, unsigned int idx, struct ss_spd *spd,
	uint32_t (*tunnel_by_name)(const char *, void *), void *arg,
	struct ss_cfg_error *err)
{
	struct ss_spd_rule r;
	char tunnel[SS_CFG_NAME_LEN];
	int has_src = 0, has_dst = 0, sp, dp, it, ic, act, rc;
	int64_t prio = 100;

	memset(&r, 0, sizeof(r));
	rc = ss_cfg_check_keys(g, policy_keys, err);
	if (rc != 0)
		return rc;
	snprintf(r.name, sizeof(r.name), "policy-%u", idx);
	rc = ss_cfg_get_str(g, "name", false, r.name, sizeof(r.name), err);
	if (rc != 0)
		return rc;
	if (config_setting_get_member(g, "name") != NULL && r.name[0] == '\0')
		return ss_cfg_fail(err, config_setting_get_member(g, "name"),
			"must not be empty");
	rc = ss_cfg_get_prefix(g, "src", false, &r.src, err);
	if (rc != 0)
		return rc;
	has_src = config_setting_get_member(g, "src") != NULL;
	rc = ss_cfg_get_prefix(g, "dst", false, &r.dst, err);
	if (rc != 0)
		return rc;
	has_dst = config_setting_get_member(g, "dst") != NULL;
	if (!has_src && !has_dst)
		return ss_cfg_fail(err, g, "needs src or dst (a prefix; "
			"\"0.0.0.0/0\" or \"::/0\" for any)");
	if (has_src && has_dst && r.src.addr.family != r.dst.addr.family)
		return ss_cfg_fail(err, config_setting_get_member(g, "dst"),
			"address family differs from src");
	if (!has_src) {
		memset(&r.src, 0, sizeof(r.src));
		r.src.addr.family = r.dst.addr.family;
	}
	if (!has_dst) {
		memset(&r.dst, 0, sizeof(r.dst));
		r.dst.addr.family = r.src.addr.family;
	}
	r.family = r.src.addr.family;

	rc = get_proto(g, &r.proto, err);
	if (rc != 0)
		return rc;
	r.sport_hi = r.dport_hi = 65535;
	rc = get_range(g, "sport", &r.sport_lo, &r.sport_hi, &sp, err);
	if (rc == 0)
		rc = get_range(g, "dport", &r.dport_lo, &r.dport_hi, &dp, err);
	if (rc != 0)
		return rc;
	if ((sp || dp) && r.proto != 6 && r.proto != 17 && r.proto != 132)
		return ss_cfg_fail(err, config_setting_get_member(g,
			sp ? "sport" : "dport"),
			"ports need proto tcp, udp or sctp");
	rc = get_range(g, "icmp_type", &r.sport_lo, &r.sport_hi, &it, err);
	if (rc == 0)
		rc = get_range(g, "icmp_code", &r.dport_lo, &r.dport_hi, &ic,
			err);
	if (rc != 0)
		return rc;
	if ((it || ic) && r.proto != 1 && r.proto != 58)
		return ss_cfg_fail(err, config_setting_get_member(g,
			it ? "icmp_type" : "icmp_code"),
			"needs proto icmp or icmpv6");
	if ((it && r.sport_hi > 255) || (ic && r.dport_hi > 255))
		return ss_cfg_fail(err, config_setting_get_member(g,
			it && r.sport_hi > 255 ? "icmp_type" : "icmp_code"),
			"ICMP type and code are 0..255");

	rc = ss_cfg_get_enum(g, "action", true, action_names, &act, err);
	if (rc != 0)
		return rc;
	r.action = action_vals[act];
	if (config_setting_get_member(g, "tunnel") != NULL) {
		if (r.action != SS_SPD_PROTECT)
			return ss_cfg_fail(err, config_setting_get_member(g,
				"tunnel"), "only with action \"protect\"");
		rc = ss_cfg_get_str(g, "tunnel", true, tunnel,
			sizeof(tunnel), err);
		if (rc != 0)
			return rc;
		r.tunnel = tunnel_by_name != NULL ?
			tunnel_by_name(tunnel, arg) : SS_SPD_TUNNEL_NONE;
		if (r.tunnel == SS_SPD_TUNNEL_NONE)
			return ss_cfg_fail(err, config_setting_get_member(g,
				"tunnel"), "no tunnel named \"%s\"", tunnel);
		if (r.tunnel > SS_SPD_TUNNEL_MAX)
			return ss_cfg_fail(err, config_setting_get_member(g,
				"tunnel"), "tunnel value %u out of range",
				r.tunnel);
	} else if (r.action == SS_SPD_PROTECT) {
		return ss_cfg_fail(err, config_setting_get_member(g,
			"action"), "action \"protect\" needs a tunnel");
	}
	rc = ss_cfg_get_int(g, "priority", false, 0, SS_SPD_PRIO_MAX, &prio,
		err);
	if (rc != 0)
		return rc;
	r.priority = (uint32_t)prio;

	if (ss_spd_find(spd, r.name) >= 0)
		return ss_cfg_fail(err, config_setting_get_member(g, "name") !=
			NULL ? config_setting_get_member(g, "name") : g,
			"policy \"%s\" defined twice", r.name);
	rc = ss_spd_add(spd, &r);
	if (rc < 0)
		return ss_cfg_fail(err, g, "cannot add policy \"%s\": %s",
			r.name, strerror(-rc));
	return 0;
}

int
ss_spd_cfg_parse(const struct ss_config *cfg, const config_setting_t *list,
	struct ss_spd *spd,
	uint32_t (*tunnel_by_name)(const char *name, void *arg), void *arg,
	struct ss_cfg_error *err)
{
	unsigned int i, n;
	int rc;

	(void)cfg;
	if (list == NULL || spd == NULL)
		return -EINVAL;
	if (!config_setting_is_list(list))
		return ss_cfg_fail(err, list, "must be a list of policies: "
			"( { ... }, ... )");
	n = (unsigned int)config_setting_length(list);
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);

		if (!config_setting_is_group(g))
			return ss_cfg_fail(err, g, "a policy is a group "
				"{ ... }");
		rc = parse_one(g, i, spd, tunnel_by_name, arg, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}
