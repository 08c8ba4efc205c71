/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell command of the hold queues (hold.c): show hold [json], per
 * server: what is held now, and what was held, released, refused and
 * expired, with the ACQUIREs and ICMP answers of the control lcore. */

#include <inttypes.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <rte_cycles.h>

#include "ss_app.h"
#include "ss_shell.h"
#include "ss_inline.h"
#include "ss_swnic_esp.h"
#include "ss_swnic_sec.h"

static void
show_hold(struct cmdline *cl, bool json)
{
	const struct ss_sa_cfg_hold *hc = &ss_app.sacfg.hold;
	unsigned int n = 0;
	uint64_t acq_drops = 0;
	uint16_t s, i;

	for (i = 0; i < ss_app.nb_workers; i++)
		acq_drops += ss_app.workers[i].st.acq_drops;
	if (json)
		cmdline_printf(cl, "{\"packets\": %u, \"bytes\": %u, "
			"\"timeout_ms\": %u, \"queues\": %u, \"answer\": "
			"\"%s\", \"acquires\": %" PRIu64 ", \"acquire_drops\": "
			"%" PRIu64 ", \"icmp_unreach\": %" PRIu64
			", \"unreach_dropped\": %" PRIu64 ", \"servers\": [",
			hc->packets, hc->bytes, hc->timeout_ms, hc->queues,
			hc->icmp ? "icmp" : "drop", ss_app.ctl.acquires,
			acq_drops, ss_app.ctl.icmp_unreach,
			ss_app.ctl.unreach_dropped);
	else if (hc->packets == 0)
		cmdline_printf(cl, "hold off (ipsec.hold.packets = 0): packets "
			"without an SA are dropped as no_sa\n");
	else
		cmdline_printf(cl, "hold: %u packets, %u bytes per tunnel and "
			"server, %u ms, %u tunnels at once; answer %s\n"
			"acquires %" PRIu64 " (ring full %" PRIu64 "), ICMP "
			"unreachable sent %" PRIu64 " (not possible %" PRIu64
			")\n%-6s %-6s %6s %8s %9s %10s %10s %10s %9s %9s %9s "
			"%9s\n", hc->packets, hc->bytes, hc->timeout_ms,
			hc->queues, hc->icmp ? "icmp" : "drop",
			ss_app.ctl.acquires, acq_drops,
			ss_app.ctl.icmp_unreach, ss_app.ctl.unreach_dropped,
			"server", "id", "queues", "now-pkts", "now-bytes",
			"held", "released", "opened", "overflow", "no-queue",
			"expired", "flushed");
	for (s = 0; s < ss_app.cfg.nb_servers; s++) {
		struct ss_hold_stats st, si;

		if (!ss_app.srv_live[s] || ss_app.hold[s] == NULL)
			continue;
		ss_hold_stats_get(ss_app.hold[s], &st);
		ss_hold_stats_get(ss_app.hold_in[s], &si);
		if (json)
			cmdline_printf(cl, "%s\n  {\"server\": %u, "
				"\"instance_id\": %u, \"queues\": %u, "
				"\"now_packets\": %u, \"now_bytes\": %" PRIu64
				", "
				"\"held\": %" PRIu64 ", \"released\": %" PRIu64
				", \"opened\": %" PRIu64 ", \"overflow\": %"
				PRIu64 ", \"no_queue\": %" PRIu64
				", \"expired\": %" PRIu64 ", \"flushed\": %"
				PRIu64 ", \"in\": {\"now_packets\": %u, "
				"\"held\": %" PRIu64 ", \"released\": %" PRIu64
				", \"refused\": %" PRIu64 ", \"expired\": %"
				PRIu64 "}}", n++ == 0 ? "" : ",", s,
				ss_app.cfg.servers[s].id, st.now_queues,
				st.now_packets, st.now_bytes, st.held,
				st.released, st.opened, st.overflow,
				st.no_queue, st.expired, st.flushed,
				si.now_packets, si.held, si.released,
				si.overflow + si.no_queue, si.expired);
		else if (hc->packets != 0)
			cmdline_printf(cl, "%-6u %-6u %6u %8u %9" PRIu64
				" %10" PRIu64
				" %10" PRIu64 " %10" PRIu64 " %9" PRIu64 " %9"
				PRIu64 " %9" PRIu64 " %9" PRIu64 "\n", s,
				ss_app.cfg.servers[s].id, st.now_queues,
				st.now_packets, st.now_bytes, st.held,
				st.released, st.opened, st.overflow,
				st.no_queue, st.expired, st.flushed);
		if (!json && hc->packets != 0 && si.held != 0)
			cmdline_printf(cl, "%-6s %-6s %6u %8u %9s %10" PRIu64
				" %10" PRIu64 " %10s %9" PRIu64 " %9" PRIu64
				" %9" PRIu64 " %9" PRIu64 "   (inbound ESP "
				"of paused SAs)\n", "", "", si.now_queues,
				si.now_packets, "", si.held, si.released, "",
				si.overflow, si.no_queue, si.expired,
				si.flushed);
	}
	if (json)
		cmdline_printf(cl, "%s]}\n", n == 0 ? "" : "\n");
}

struct cmd_show_hold_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t hold;
	cmdline_fixed_string_t json;
};

static void
cmd_show_hold_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	show_hold(cl, data == SS_SHELL_JSON);
}

static cmdline_parse_token_string_t cmd_show_hold_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_hold_result, show, "show");
static cmdline_parse_token_string_t cmd_show_hold_hold =
	TOKEN_STRING_INITIALIZER(struct cmd_show_hold_result, hold, "hold");
static cmdline_parse_token_string_t cmd_show_hold_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_hold_result, json, "json");

static cmdline_parse_inst_t cmd_show_hold = {
	.f = cmd_show_hold_parsed,
	.data = NULL,
	.help_str = "show hold: packets held while their SA is negotiated, "
		"per server",
	.tokens = {
		(void *)&cmd_show_hold_show,
		(void *)&cmd_show_hold_hold,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_show_hold_j = {
	.f = cmd_show_hold_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show hold json: the same as JSON",
	.tokens = {
		(void *)&cmd_show_hold_show,
		(void *)&cmd_show_hold_hold,
		(void *)&cmd_show_hold_json,
		NULL,
	},
};

/* ---- show swnic [json] ---------------------------------------------- */

static double
ms_of(uint64_t tsc)
{
	return (double)tsc * 1e3 / (double)rte_get_timer_hz();
}

static void
show_swnic(struct cmdline *cl, bool json)
{
	const struct ss_swnic *d = ss_swnic_esp_dev();
	struct ss_swnic_esp_stats e;
	struct ss_swnic_stats s;
	const struct ss_swnic_conf *c;

	if (d == NULL) {
		if (json)
			cmdline_printf(cl, "{}\n");
		else
			cmdline_printf(cl, "no software NIC (ipsec.swnic, or "
				"ipsec.backend = \"swnic\", starts one)\n");
		return;
	}
	ss_swnic_stats_get(d, &s);
	ss_swnic_esp_stats_get(&e);
	c = ss_swnic_conf_get(d);
	if (json) {
		cmdline_printf(cl, "{\"slots\": %u, \"latency_us\": %u, "
			"\"used\": %u, \"pending\": %u, \"stores\": %" PRIu64
			", \"stored\": %" PRIu64 ", \"refused\": %" PRIu64
			", \"table_full\": %" PRIu64 ", \"erased\": %" PRIu64
			", \"cancelled\": %" PRIu64 ", \"resumed\": %" PRIu64
			", \"store_ms\": {\"min\": %.3f, \"avg\": %.3f, "
			"\"max\": %.3f}, \"paused_ms\": {\"min\": %.3f, "
			"\"avg\": %.3f, \"max\": %.3f}}\n", c->slots,
			c->latency_us, s.used, s.pending, s.stores, s.stored,
			s.refused, s.table_full, s.erased, s.cancelled,
			e.resumed, ms_of(s.wait_min_tsc),
			s.stored ? ms_of(s.wait_sum_tsc) / (double)s.stored :
			0.0, ms_of(s.wait_max_tsc), ms_of(e.pause_min_tsc),
			e.resumed ? ms_of(e.pause_sum_tsc) /
			(double)e.resumed : 0.0, ms_of(e.pause_max_tsc));
		return;
	}
	cmdline_printf(cl, "software NIC: %u key slots (%u used, %u requests "
		"pending), %u us to store a key\n"
		"  key pushes %" PRIu64 ", stored %" PRIu64 ", refused %" PRIu64
		", table full %" PRIu64 ", erased %" PRIu64 " (%" PRIu64
		" while pending)\n"
		"  store time min/avg/max %.3f/%.3f/%.3f ms\n"
		"  SAs resumed %" PRIu64 ", paused min/avg/max "
		"%.3f/%.3f/%.3f ms\n", c->slots, s.used, s.pending,
		c->latency_us, s.stores, s.stored, s.refused, s.table_full,
		s.erased, s.cancelled, ms_of(s.wait_min_tsc),
		s.stored ? ms_of(s.wait_sum_tsc) / (double)s.stored : 0.0,
		ms_of(s.wait_max_tsc), e.resumed, ms_of(e.pause_min_tsc),
		e.resumed ? ms_of(e.pause_sum_tsc) / (double)e.resumed : 0.0,
		ms_of(e.pause_max_tsc));
}

struct cmd_show_swnic_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t swnic;
	cmdline_fixed_string_t json;
};

static void
cmd_show_swnic_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	show_swnic(cl, data == SS_SHELL_JSON);
}

static cmdline_parse_token_string_t cmd_show_swnic_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_swnic_result, show, "show");
static cmdline_parse_token_string_t cmd_show_swnic_swnic =
	TOKEN_STRING_INITIALIZER(struct cmd_show_swnic_result, swnic, "swnic");
static cmdline_parse_token_string_t cmd_show_swnic_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_swnic_result, json, "json");

static cmdline_parse_inst_t cmd_show_swnic = {
	.f = cmd_show_swnic_parsed,
	.data = NULL,
	.help_str = "show swnic: the software NIC's key table, key pushes "
		"and how long SAs were paused",
	.tokens = {
		(void *)&cmd_show_swnic_show,
		(void *)&cmd_show_swnic_swnic,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_show_swnic_j = {
	.f = cmd_show_swnic_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show swnic json: the same as JSON",
	.tokens = {
		(void *)&cmd_show_swnic_show,
		(void *)&cmd_show_swnic_swnic,
		(void *)&cmd_show_swnic_json,
		NULL,
	},
};

/* ---- show inline [json] --------------------------------------------- */

static void
show_inline(struct cmdline *cl, bool json)
{
	struct ss_swnic_sec_stats d;
	struct ss_inline_stats st;
	const bool sw = ss_app.swnic_sec != NULL;

	if (!ss_inline_active()) {
		cmdline_printf(cl, json ? "{}\n" : "no inline IPsec "
			"(ipsec.inline starts it)\n");
		return;
	}
	ss_inline_stats_get(&st);
	memset(&d, 0, sizeof(d));
	if (sw)
		ss_swnic_sec_stats_get(ss_app.swnic_sec, &d);
	if (json) {
		cmdline_printf(cl, "{\"port\": \"%s\", \"device\": \"%s\", "
			"\"sessions\": %u, \"created\": %" PRIu64
			", \"refused\": %" PRIu64 ", \"destroyed\": %" PRIu64
			", \"flows\": %" PRIu64, ss_app.cfg.ports[
			ss_app.sacfg.inline_port].name, sw ? "software" :
			"nic", st.sessions, st.created, st.refused,
			st.destroyed, st.flows);
		if (sw)
			cmdline_printf(cl, ", \"tx_encrypted\": %" PRIu64
				", \"tx_dropped_no_session\": %" PRIu64
				", \"tx_dropped_bad\": %" PRIu64
				", \"rx_decrypted\": %" PRIu64
				", \"rx_auth_failed\": %" PRIu64
				", \"rx_bad\": %" PRIu64
				", \"rx_no_session\": %" PRIu64,
				d.tx_encrypted, d.tx_dropped_no_session,
				d.tx_dropped_bad, d.rx_decrypted,
				d.rx_auth_failed, d.rx_bad, d.rx_no_session);
		cmdline_printf(cl, "}\n");
		return;
	}
	cmdline_printf(cl, "inline IPsec on port %s (%s): %u sessions; "
		"created %" PRIu64 ", refused %" PRIu64 ", destroyed %" PRIu64
		", inbound rules %" PRIu64 "\n",
		ss_app.cfg.ports[ss_app.sacfg.inline_port].name,
		sw ? "software inline NIC" : "NIC's rte_security context",
		st.sessions, st.created, st.refused, st.destroyed, st.flows);
	if (sw)
		cmdline_printf(cl, "  tx encrypted %" PRIu64 ", dropped: no "
			"session %" PRIu64 ", malformed %" PRIu64 "\n"
			"  rx decrypted %" PRIu64 ", ICV failed %" PRIu64
			", malformed %" PRIu64 ", unknown SPI %" PRIu64 "\n",
			d.tx_encrypted, d.tx_dropped_no_session,
			d.tx_dropped_bad, d.rx_decrypted, d.rx_auth_failed,
			d.rx_bad, d.rx_no_session);
}

struct cmd_show_inline_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t inl;
	cmdline_fixed_string_t json;
};

static void
cmd_show_inline_parsed(void *parsed, struct cmdline *cl, void *data)
{
	RTE_SET_USED(parsed);
	show_inline(cl, data == SS_SHELL_JSON);
}

static cmdline_parse_token_string_t cmd_show_inline_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_inline_result, show, "show");
static cmdline_parse_token_string_t cmd_show_inline_inl =
	TOKEN_STRING_INITIALIZER(struct cmd_show_inline_result, inl,
		"inline");
static cmdline_parse_token_string_t cmd_show_inline_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_inline_result, json, "json");

static cmdline_parse_inst_t cmd_show_inline = {
	.f = cmd_show_inline_parsed,
	.data = NULL,
	.help_str = "show inline: rte_security inline IPsec sessions and "
		"the software inline NIC's counters",
	.tokens = {
		(void *)&cmd_show_inline_show,
		(void *)&cmd_show_inline_inl,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_show_inline_j = {
	.f = cmd_show_inline_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show inline json: the same as JSON",
	.tokens = {
		(void *)&cmd_show_inline_show,
		(void *)&cmd_show_inline_inl,
		(void *)&cmd_show_inline_json,
		NULL,
	},
};

cmdline_parse_inst_t *const ss_cmd_hold[] = {
	&cmd_show_inline,
	&cmd_show_inline_j,
	&cmd_show_hold,
	&cmd_show_hold_j,
	&cmd_show_swnic,
	&cmd_show_swnic_j,
	NULL,
};

const struct ss_shell_help ss_help_hold[] = {
	{ "show hold [json]", "per server: packets held for an SA now, and "
		"held, released, refused (overflow, no queue), expired; "
		"ACQUIREs and ICMP unreachable sent" },
	{ "show swnic [json]", "the software NIC: key slots, key pushes, "
		"store times, how long SAs were paused" },
	{ "show inline [json]", "inline IPsec (ipsec.inline): sessions "
		"made and refused on the port's NIC; the software inline NIC's "
		"packets encrypted, decrypted, failed and dropped" },
	{ NULL, NULL },
};
