/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell commands of the IKEv2 control plane: show ike sa|peers|stats,
 * ike initiate|rekey|terminate. Never prints a key or a pre-shared key. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "ss_app.h"
#include "ss_ike.h"
#include "ss_shell.h"
#include "ss_shell_token.h"

static struct ss_ike *
engine_or_fail(struct cmdline *cl)
{
	struct ss_ike *ike = ss_app_ike_engine(&ss_app);

	if (ike == NULL)
		ss_shell_fail(cl, "IKE is not configured (no peers in 'ike')");
	return ike;
}

static const char *
addr_str(const struct ss_ike_addr *a, char *buf, size_t len)
{
	char ip[64];

	if (a->ip.family == 0)
		snprintf(buf, len, "%%any");
	else
		snprintf(buf, len, "%s[%u]", ss_ipaddr_str(&a->ip, ip,
			sizeof(ip)), a->port);
	return buf;
}

static const char *
integ_name(uint16_t integ)
{
	switch (integ) {
	case SS_IKE_INTEG_NONE:
		return "";
	case SS_IKE_INTEG_HMAC_SHA2_256_128:
		return "/HMAC_SHA2_256_128";
	default:
		return "/?";
	}
}

static const char *
prf_name(uint16_t prf)
{
	switch (prf) {
	case SS_IKE_PRF_HMAC_SHA2_256:
		return "PRF_HMAC_SHA2_256";
	case SS_IKE_PRF_HMAC_SHA2_384:
		return "PRF_HMAC_SHA2_384";
	case SS_IKE_PRF_HMAC_SHA2_512:
		return "PRF_HMAC_SHA2_512";
	default:
		return "PRF_?";
	}
}

/* ---- show ike sa|peers|stats -------------------------------------------- */

struct show_arg {
	struct cmdline *cl;
	uint64_t now;
	bool json;
	unsigned int n;
};

static void
sa_cb(const struct ss_ike_sa_info *i, void *arg)
{
	struct show_arg *a = arg;
	char l[80], r[80];

	if (a->json) {
		cmdline_printf(a->cl, "%s\n  {\"peer\": \"%s\", \"spi_i\": "
			"\"%016" PRIx64 "\", \"spi_r\": \"%016" PRIx64 "\", "
			"\"state\": \"%s\", \"initiator\": %s, \"local\": "
			"\"%s\", \"remote\": \"%s\", \"nat\": %s, "
			"\"encr\": \"%s\", \"dh\": \"%s\", "
			"\"established_s\": %" PRIu64 ", \"children\": %u}",
			a->n++ == 0 ? "" : ",", i->peer, i->spi_i, i->spi_r,
			i->state, i->initiator ? "true" : "false",
			addr_str(&i->local, l, sizeof(l)),
			addr_str(&i->remote, r, sizeof(r)),
			i->nat ? "true" : "false",
			ss_ike_encr_name(i->encr, i->encr_bits),
			ss_ike_dh_name(i->dh),
			i->established_ms && a->now >= i->established_ms ?
			(a->now - i->established_ms) / 1000 : 0,
			i->nb_children);
		return;
	}
	cmdline_printf(a->cl, "%s: %016" PRIx64 "_i%s %016" PRIx64 "_r%s %s "
		"%s %s -> %s%s\n", i->peer, i->spi_i, i->initiator ? "*" : "",
		i->spi_r, i->initiator ? "" : "*", i->state,
		i->initiator ? "initiator" : "responder",
		addr_str(&i->local, l, sizeof(l)),
		addr_str(&i->remote, r, sizeof(r)), i->nat ? " nat-t" : "");
	cmdline_printf(a->cl, "  %s%s/%s/%s, established %" PRIu64 " s ago, "
		"%u child SA pair(s)\n",
		ss_ike_encr_name(i->encr, i->encr_bits), integ_name(i->integ),
		prf_name(i->prf), ss_ike_dh_name(i->dh),
		i->established_ms && a->now >= i->established_ms ?
		(a->now - i->established_ms) / 1000 : 0, i->nb_children);
}

static void
child_cb(const struct ss_ike_child_info *c, void *arg)
{
	struct show_arg *a = arg;

	if (a->json) {
		cmdline_printf(a->cl, "%s\n  {\"peer\": \"%s\", \"child\": "
			"\"%s\", \"server_id\": %u, \"spi_in\": \"0x%08x\", "
			"\"spi_out\": \"0x%08x\", \"state\": \"%s\", "
			"\"encr\": \"%s\", \"esn\": %s, \"udp_encap\": %s, "
			"\"installed_s\": %" PRIu64 "}", a->n++ == 0 ? "" : ",",
			c->peer, c->child, c->server_id, c->spi_in,
			c->spi_out, c->state,
			ss_ike_encr_name(c->encr, c->encr_bits),
			c->esn ? "true" : "false",
			c->encap ? "true" : "false",
			c->installed_ms && a->now >= c->installed_ms ?
			(a->now - c->installed_ms) / 1000 : 0);
		return;
	}
	cmdline_printf(a->cl, "  %s/%s: server id %u  in 0x%08x out 0x%08x  "
		"%s  %s%s%s%s  %" PRIu64 " s\n", c->peer, c->child,
		c->server_id, c->spi_in, c->spi_out, c->state,
		ss_ike_encr_name(c->encr, c->encr_bits), integ_name(c->integ),
		c->esn ? "/ESN" : "", c->encap ? " udp-encap" : "",
		c->installed_ms && a->now >= c->installed_ms ?
		(a->now - c->installed_ms) / 1000 : 0);
}

struct peer_look {
	const char *name;
	const char *state;
	unsigned int children;
	bool nat;
};

static void
peer_look_cb(const struct ss_ike_sa_info *i, void *arg)
{
	struct peer_look *p = arg;

	if (strcmp(i->peer, p->name) != 0)
		return;
	/* an established SA wins over one being set up or rekeyed */
	if (p->state == NULL || strcmp(i->state, "ESTABLISHED") == 0) {
		p->state = i->state;
		p->children = i->nb_children;
		p->nat = i->nat;
	}
}

static void
child_conf_print(struct cmdline *cl, const struct ss_ike_child_conf *cc)
{
	const char *start = cc->start == SS_IKE_START_START ? "at boot" :
		cc->start == SS_IKE_START_ON_DEMAND ? "on demand" : "manual";

	cmdline_printf(cl, "  child %s: %u/%u selectors, %s, %s, start %s\n",
		cc->name, cc->nb_local_ts, cc->nb_remote_ts,
		cc->transport ? "transport" : "tunnel",
		cc->per_server ? "one pair per server" : "one pair", start);
}

static void
show_peers(struct cmdline *cl, const struct ss_ike *ike, bool json)
{
	const struct ss_ike_conf *conf = ss_app_ike_conf();
	unsigned int i, c;

	for (i = 0; i < conf->nb_peers; i++) {
		const struct ss_ike_peer_conf *pc = &conf->peer[i];
		struct peer_look pl = { .name = pc->name };
		char l[80], r[80];
		const char *ev;

		ss_ike_walk_sas(ike, peer_look_cb, &pl);
		if (json) {
			cmdline_printf(cl, "%s\n  {\"peer\": \"%s\", \"local\": "
				"\"%s\", \"remote\": \"%s\", \"encap\": %s, "
				"\"state\": \"%s\", \"children\": %u, \"nat\": "
				"%s, \"child_conf\": [", i == 0 ? "" : ",",
				pc->name, addr_str(&pc->local, l, sizeof(l)),
				addr_str(&pc->remote, r, sizeof(r)),
				pc->encap ? "true" : "false",
				pl.state != NULL ? pl.state : "none",
				pl.children, pl.nat ? "true" : "false");
			for (c = 0; c < pc->nb_child; c++)
				cmdline_printf(cl, "%s\"%s\"", c == 0 ? "" :
					", ", pc->child[c].name);
			cmdline_printf(cl, "]}");
			continue;
		}
		cmdline_printf(cl, "%s: %s -> %s%s  %s  %u child SA pair(s)"
			"%s\n", pc->name, addr_str(&pc->local, l, sizeof(l)),
			addr_str(&pc->remote, r, sizeof(r)),
			pc->encap ? " (encap)" : "",
			pl.state != NULL ? pl.state : "no IKE SA", pl.children,
			pl.nat ? " nat-t" : "");
		for (c = 0; c < pc->nb_child; c++)
			child_conf_print(cl, &pc->child[c]);
		ev = ss_app_ike_last_event(&ss_app, i);
		if (ev[0] != '\0')
			cmdline_printf(cl, "  last event: %s\n", ev);
	}
}

static void
show_stats(struct cmdline *cl, const struct ss_ike *ike, bool json)
{
	static const char *const names[SS_APP_IKE_NB_COUNTERS] = { "gw_rx",
		"gw_rx_bad", "gw_tx", "gw_tx_held_arp", "gw_tx_failed",
		"gw_child_installs", "gw_child_install_failed",
		"gw_tx_ip_fragments" };
	struct ss_ike_stats st;
	uint64_t c[SS_APP_IKE_NB_COUNTERS];
	unsigned int i;

	ss_ike_get_stats(ike, &st);
	ss_app_ike_counters(&ss_app, c);
	if (json) {
		cmdline_printf(cl, "{");
		for (i = 0; i < SS_IKE_CNT_MAX; i++)
			cmdline_printf(cl, "%s\"%s\": %" PRIu64, i ? ", " : "",
				ss_ike_counter_name(i), st.c[i]);
		for (i = 0; i < RTE_DIM(names); i++)
			cmdline_printf(cl, ", \"%s\": %" PRIu64, names[i], c[i]);
		cmdline_printf(cl, "}\n");
		return;
	}
	for (i = 0; i < SS_IKE_CNT_MAX; i++)
		cmdline_printf(cl, "  %-24s %" PRIu64 "\n",
			ss_ike_counter_name(i), st.c[i]);
	for (i = 0; i < RTE_DIM(names); i++)
		cmdline_printf(cl, "  %-24s %" PRIu64 "\n", names[i], c[i]);
}

struct cmd_show_ike_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t ike;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t json;
};

static void
cmd_show_ike_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_ike_result *r = parsed;
	struct ss_ike *ike = engine_or_fail(cl);
	const bool json = data == SS_SHELL_JSON;
	struct show_arg a = { .cl = cl, .json = json };

	if (ike == NULL)
		return;
	a.now = ss_app_ike_now(&ss_app);
	if (strcmp(r->what, "sa") == 0) {
		if (json) {
			cmdline_printf(cl, "{\"ike_sas\": [");
			ss_ike_walk_sas(ike, sa_cb, &a);
			a.n = 0;
			cmdline_printf(cl, "\n], \"child_sas\": [");
			ss_ike_walk_children(ike, child_cb, &a);
			cmdline_printf(cl, "\n]}\n");
			return;
		}
		if (ss_ike_walk_sas(ike, sa_cb, &a) == 0) {
			cmdline_printf(cl, "no IKE SAs\n");
			return;
		}
		ss_ike_walk_children(ike, child_cb, &a);
	} else if (strcmp(r->what, "peers") == 0) {
		if (json)
			cmdline_printf(cl, "[");
		show_peers(cl, ike, json);
		if (json)
			cmdline_printf(cl, "\n]\n");
	} else {
		show_stats(cl, ike, json);
	}
}

static cmdline_parse_token_string_t cmd_show_ike_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_ike_result, show, "show");
static cmdline_parse_token_string_t cmd_show_ike_ike =
	TOKEN_STRING_INITIALIZER(struct cmd_show_ike_result, ike, "ike");
static cmdline_parse_token_string_t cmd_show_ike_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_ike_result, what,
		"sa#peers#stats");

static cmdline_parse_inst_t cmd_show_ike = {
	.f = cmd_show_ike_parsed,
	.help_str = "show ike sa|peers|stats: IKE SAs with their Child SA "
		"pairs, configured peers, IKE counters (never keys)",
	.tokens = {
		(void *)&cmd_show_ike_show,
		(void *)&cmd_show_ike_ike,
		(void *)&cmd_show_ike_what,
		NULL,
	},
};

static cmdline_parse_token_string_t cmd_show_ike_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_ike_result, json, "json");

static cmdline_parse_inst_t cmd_show_ike_j = {
	.f = cmd_show_ike_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show ike sa|peers|stats json: the same as JSON",
	.tokens = {
		(void *)&cmd_show_ike_show,
		(void *)&cmd_show_ike_ike,
		(void *)&cmd_show_ike_what,
		(void *)&cmd_show_ike_json,
		NULL,
	},
};

/* ---- ike initiate|terminate <peer>, ike rekey <peer> [<child>] ---------- */

struct cmd_ike_result {
	cmdline_fixed_string_t ike;
	cmdline_fixed_string_t verb;
	cmdline_fixed_string_t peer;
	cmdline_fixed_string_t child;
};

static const struct ss_ike_peer_conf *
peer_conf(const char *name)
{
	const struct ss_ike_conf *conf = ss_app_ike_conf();
	unsigned int i;

	for (i = 0; i < conf->nb_peers; i++)
		if (strcmp(conf->peer[i].name, name) == 0)
			return &conf->peer[i];
	return NULL;
}

static void
cmd_ike_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_ike_result *r = parsed;
	struct ss_ike *ike = engine_or_fail(cl);
	const struct ss_ike_peer_conf *pc;
	const uint64_t now = ss_app_ike_now(&ss_app);
	int ret;

	if (ike == NULL)
		return;
	pc = peer_conf(r->peer);
	if (pc == NULL) {
		ss_shell_fail(cl, "no IKE peer '%s' (see show ike peers)",
			r->peer);
		return;
	}
	if (strcmp(r->verb, "initiate") == 0) {
		ret = ss_app_ike_initiate(&ss_app, r->peer);
		if (ret == -EALREADY)
			ss_shell_fail(cl, "peer %s: an IKE SA exists or is "
				"being set up", r->peer);
		else if (ret < 0)
			ss_shell_fail(cl, "peer %s: %s", r->peer,
				strerror(-ret));
		else
			cmdline_printf(cl, "  initiating IKE SA with %s\n",
				r->peer);
		return;
	}
	if (strcmp(r->verb, "terminate") == 0) {
		ret = ss_ike_terminate(ike, r->peer, now);
		if (ret < 0)
			ss_shell_fail(cl, "peer %s: no IKE SA", r->peer);
		else
			cmdline_printf(cl, "  deleting the IKE SA of %s and "
				"its Child SAs\n", r->peer);
		return;
	}
	/* rekey: the IKE SA, or (a child named) the Child SA pairs */
	if (data != NULL) {
		unsigned int c;

		for (c = 0; c < pc->nb_child; c++)
			if (strcmp(pc->child[c].name, r->child) == 0)
				break;
		if (c == pc->nb_child) {
			ss_shell_fail(cl, "peer %s has no child '%s'",
				r->peer, r->child);
			return;
		}
	}
	ret = ss_ike_rekey(ike, r->peer, data != NULL, now);
	if (ret < 0)
		ss_shell_fail(cl, "peer %s: cannot rekey: %s", r->peer,
			ret == -ENOENT ? "no established IKE SA" :
			strerror(-ret));
	else
		cmdline_printf(cl, "  rekeying %s of %s\n", data != NULL ?
			"the Child SA pairs" : "the IKE SA", r->peer);
}

static cmdline_parse_token_string_t cmd_ike_ike =
	TOKEN_STRING_INITIALIZER(struct cmd_ike_result, ike, "ike");
static cmdline_parse_token_string_t cmd_ike_verb =
	TOKEN_STRING_INITIALIZER(struct cmd_ike_result, verb,
		"initiate#terminate#rekey");
static cmdline_parse_token_string_t cmd_ike_rekey =
	TOKEN_STRING_INITIALIZER(struct cmd_ike_result, verb, "rekey");
static int
list_peers(unsigned int idx, char *buf, size_t len, const void *arg)
{
	const struct ss_ike_conf *conf = ss_app_ike_conf();

	RTE_SET_USED(arg);
	if (idx >= conf->nb_peers)
		return -ENOENT;
	snprintf(buf, len, "%s", conf->peer[idx].name);
	return 0;
}

/* Does a child of an earlier peer, or an earlier child of peer p, have
 * the name of child c of peer p? */
static bool
child_seen(const struct ss_ike_conf *conf, unsigned int p, unsigned int c)
{
	const char *name = conf->peer[p].child[c].name;
	unsigned int q, d;

	for (q = 0; q <= p; q++)
		for (d = 0; d < (q < p ? conf->peer[q].nb_child : c); d++)
			if (strcmp(conf->peer[q].child[d].name, name) == 0)
				return true;
	return false;
}

/* Child names of every peer, each once (the peer is checked when the
 * command runs). */
static int
list_children(unsigned int idx, char *buf, size_t len, const void *arg)
{
	const struct ss_ike_conf *conf = ss_app_ike_conf();
	unsigned int p, c, n = 0;

	RTE_SET_USED(arg);
	for (p = 0; p < conf->nb_peers; p++)
		for (c = 0; c < conf->peer[p].nb_child; c++) {
			if (child_seen(conf, p, c) || n++ != idx)
				continue;
			snprintf(buf, len, "%s", conf->peer[p].child[c].name);
			return 0;
		}
	return -ENOENT;
}

static struct ss_shell_token_choice cmd_ike_peer =
	SS_SHELL_TOKEN_CHOICE(struct cmd_ike_result, peer, "IKE peer",
		"peers", NULL, list_peers, NULL, NULL);
static struct ss_shell_token_choice cmd_ike_child =
	SS_SHELL_TOKEN_CHOICE(struct cmd_ike_result, child, "child",
		"children", NULL, list_children, NULL, NULL);

static cmdline_parse_inst_t cmd_ike_peer_verb = {
	.f = cmd_ike_parsed,
	.data = NULL,
	.help_str = "ike initiate|terminate|rekey <peer>: start the IKE SA "
		"(and one Child SA pair per server), delete it, rekey it",
	.tokens = {
		(void *)&cmd_ike_ike,
		(void *)&cmd_ike_verb,
		(void *)&cmd_ike_peer,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_ike_rekey_child = {
	.f = cmd_ike_parsed,
	.data = (void *)1,
	.help_str = "ike rekey <peer> <child>: rekey the peer's Child SA "
		"pairs (make before break)",
	.tokens = {
		(void *)&cmd_ike_ike,
		(void *)&cmd_ike_rekey,
		(void *)&cmd_ike_peer,
		(void *)&cmd_ike_child,
		NULL,
	},
};

cmdline_parse_inst_t *const ss_cmd_ike[] = {
	&cmd_show_ike,
	&cmd_show_ike_j,
	&cmd_ike_peer_verb,
	&cmd_ike_rekey_child,
	NULL,
};

const struct ss_shell_help ss_help_ike[] = {
	{ "show ike sa [json]", "IKE SAs and their Child SA pairs (SPIs, "
		"server ids)" },
	{ "show ike peers [json]", "configured peers, state, last event" },
	{ "show ike stats [json]", "IKE counters (messages, failures, "
		"rekeys)" },
	{ "ike initiate <peer>", "start the IKE SA and one pair per server" },
	{ "ike rekey <peer> [<child>]", "rekey the IKE SA, or the Child SA "
		"pairs" },
	{ "ike terminate <peer>", "delete the IKE SA and its Child SAs" },
	{ NULL, NULL },
};
