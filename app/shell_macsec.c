/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell commands of the MACsec ports: show macsec [json] (each SecY, its
 * SAs and 802.1AE counters), show mka [json] (each MKA participant, its
 * peers and counters), mka rekey PORT, mka renew-cak PORT. No key byte
 * is ever printed: a CKN is a name, not a key. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "ss_app.h"
#include "ss_app_macsec.h"
#include "macsec_priv.h"
#include "ss_shell.h"
#include "ss_shell_token.h"
#include "ss_hold.h"

static void
hex_print(struct cmdline *cl, const uint8_t *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		cmdline_printf(cl, "%02x", b[i]);
}

/* The SecY counters, named as 802.1AE names them. */
#define MSEC_COUNTERS(X) \
	X(out_pkts_protected) X(out_pkts_encrypted) \
	X(out_octets_protected) X(out_octets_encrypted) \
	X(out_pkts_untagged) X(out_pkts_too_long) X(out_pkts_no_sa) \
	X(out_pkts_pn_exhausted) X(in_pkts_untagged) X(in_pkts_no_tag) \
	X(in_pkts_bad_tag) X(in_pkts_unknown_sci) X(in_pkts_no_sci) \
	X(in_pkts_overrun) X(in_octets_validated) X(in_octets_decrypted) \
	X(in_pkts_ok) X(in_pkts_invalid) X(in_pkts_not_valid) \
	X(in_pkts_not_using_sa) X(in_pkts_unused_sa) X(in_pkts_unchecked) \
	X(in_pkts_delayed) X(in_pkts_late) X(in_pkts_eapol)

#define MKA_COUNTERS(X) \
	X(tx_mkpdu) X(rx_mkpdu) X(rx_bad_icv) X(rx_bad_format) \
	X(rx_unknown_ckn) X(rx_replayed) X(rx_own) X(sak_generated) \
	X(sak_distributed) X(sak_received) X(sak_unwrap_failed) \
	X(sak_installed) X(sak_in_use) X(peers_expired) X(peers_demoted) \
	X(cak_renew_started) X(cak_renew_done) X(cak_renew_failed) \
	X(cak_renew_bad)

static void
show_macsec(struct cmdline *cl, bool json)
{
	uint8_t i, an;

	if (ss_app_macsec_nb_ports() == 0) {
		cmdline_printf(cl, json ? "[]\n" : "no MACsec ports (section "
			"'macsec')\n");
		return;
	}
	if (json)
		cmdline_printf(cl, "[");
	for (i = 0; i < ss_app_macsec_nb_ports(); i++) {
		const struct ss_app_msec_port *mp = ss_app_macsec_port(i);
		const struct ss_app_msec_cfg *c = &mp->c;
		struct ss_macsec_stats st;
		struct ss_mka_status ks;
		struct ss_hold_stats hs;
		const int enc = ss_macsec_tx_encoding_an(mp->sy);
		const char *sep = "";
		uint16_t k;

		ss_macsec_stats_get(mp->sy, &st);
		ss_mka_status_get(mp->mka, &ks);
		memset(&hs, 0, sizeof(hs));
		if (mp->hold != NULL)
			ss_hold_stats_get(mp->hold, &hs);
		if (json) {
			cmdline_printf(cl, "%s\n {\"port\": \"%s\", \"sci\": "
				"\"%016" PRIx64 "\", \"cipher\": \"%s\", "
				"\"confidentiality\": %s, \"validate\": "
				"\"%s\", \"replay_window\": %u, \"worker\": "
				"%u, \"encoding_an\": %d, \"tx_sa\": [",
				i == 0 ? "" : ",",
				ss_app.cfg.ports[c->port].name, mp->sci,
				ss_app_macsec_cipher_name(c->cipher),
				c->confidentiality ? "true" : "false",
				ss_app_macsec_validate_name(c->validate),
				c->replay_window, mp->owner, enc);
			for (an = 0; an < SS_MACSEC_AN_COUNT; an++) {
				const uint64_t pn = ss_macsec_tx_next_pn(
					mp->sy, an);

				if (pn == 0)
					continue;
				cmdline_printf(cl, "%s{\"an\": %u, \"next_pn\": "
					"%" PRIu64 "}", sep, an, pn);
				sep = ", ";
			}
			cmdline_printf(cl, "], \"rx_sc\": [");
			sep = "";
			for (k = 0; k < SS_MKA_MAX_PEERS && k < ks.nb_live +
					ks.nb_potential; k++) {
				const char *s2 = "";

				cmdline_printf(cl, "%s{\"sci\": \"%016" PRIx64
					"\", \"sa\": [", sep, ks.peer[k].sci);
				for (an = 0; an < SS_MACSEC_AN_COUNT; an++) {
					const uint64_t pn =
						ss_macsec_rx_lowest_pn(mp->sy,
							ks.peer[k].sci, an);

					if (pn == 0)
						continue;
					cmdline_printf(cl, "%s{\"an\": %u, "
						"\"lowest_pn\": %" PRIu64 "}",
						s2, an, pn);
					s2 = ", ";
				}
				cmdline_printf(cl, "]}");
				sep = ", ";
			}
			cmdline_printf(cl, "]");
#define X(f) cmdline_printf(cl, ", \"" #f "\": %" PRIu64, st.f);
			MSEC_COUNTERS(X)
#undef X
			cmdline_printf(cl, ", \"hold\": {\"packets\": %u, "
				"\"now\": %u, \"held\": %" PRIu64 ", "
				"\"released\": %" PRIu64 ", \"overflow\": %"
				PRIu64 ", \"expired\": %" PRIu64 "}}",
				c->hold_packets, hs.now_packets, hs.held,
				hs.released, hs.overflow, hs.expired);
			continue;
		}
		cmdline_printf(cl, "port %s: SCI %016" PRIx64 ", %s%s, "
			"validate %s, replay window %u, SecY on worker %u\n",
			ss_app.cfg.ports[c->port].name, mp->sci,
			ss_app_macsec_cipher_name(c->cipher),
			c->confidentiality ? " (confidentiality)" :
			" (integrity only)",
			ss_app_macsec_validate_name(c->validate),
			c->replay_window, mp->owner);
		if (enc < 0)
			cmdline_printf(cl, "  transmit: no SA in use yet (frames "
				"are %s until MKA has a SAK)\n", mp->hold != NULL ?
				"held" : "dropped");
		if (mp->hold != NULL)
			cmdline_printf(cl, "  hold (until the first SAK): %u "
				"frames, %u ms; now %u, held %" PRIu64
				", released %" PRIu64 ", overflow %" PRIu64
				", expired %" PRIu64 "\n", c->hold_packets,
				c->hold_ms, hs.now_packets, hs.held,
				hs.released, hs.overflow, hs.expired);
		for (an = 0; an < SS_MACSEC_AN_COUNT; an++) {
			const uint64_t pn = ss_macsec_tx_next_pn(mp->sy, an);

			if (pn != 0)
				cmdline_printf(cl, "  tx SA an %u next PN %"
					PRIu64 "%s\n", an, pn,
					an == enc ? "  (in use)" : "");
		}
		for (k = 0; k < SS_MKA_MAX_PEERS && k < ks.nb_live +
				ks.nb_potential; k++)
			for (an = 0; an < SS_MACSEC_AN_COUNT; an++) {
				const uint64_t pn = ss_macsec_rx_lowest_pn(
					mp->sy, ks.peer[k].sci, an);

				if (pn != 0)
					cmdline_printf(cl, "  rx SC %016" PRIx64
						" SA an %u lowest PN %" PRIu64
						"\n", ks.peer[k].sci, an, pn);
			}
#define X(f) if (st.f != 0) \
		cmdline_printf(cl, "  %-24s %" PRIu64 "\n", #f, st.f);
		MSEC_COUNTERS(X)
#undef X
	}
	if (json)
		cmdline_printf(cl, "\n]\n");
}

static void
show_mka(struct cmdline *cl, bool json)
{
	uint8_t i;
	uint16_t k;

	if (ss_app_macsec_nb_ports() == 0) {
		cmdline_printf(cl, json ? "[]\n" : "no MACsec ports (section "
			"'macsec')\n");
		return;
	}
	if (json)
		cmdline_printf(cl, "[");
	for (i = 0; i < ss_app_macsec_nb_ports(); i++) {
		const struct ss_app_msec_port *mp = ss_app_macsec_port(i);
		struct ss_mka_status ks;
		struct ss_mka_stats st;
		uint16_t np;

		ss_mka_status_get(mp->mka, &ks);
		ss_mka_stats_get(mp->mka, &st);
		np = RTE_MIN((uint16_t)SS_MKA_MAX_PEERS,
			(uint16_t)(ks.nb_live + ks.nb_potential));
		if (json) {
			cmdline_printf(cl, "%s\n {\"port\": \"%s\", \"state\": "
				"\"%s\", \"key_server\": %s, \"ks_sci\": \"%016"
				PRIx64 "\", \"mi\": \"", i == 0 ? "" : ",",
				ss_app.cfg.ports[mp->c.port].name,
				ss_app_mka_state_name(ks.state),
				ks.key_server ? "true" : "false", ks.ks_sci);
			hex_print(cl, ks.mi, sizeof(ks.mi));
			cmdline_printf(cl, "\", \"mn\": %u, \"ckn\": \"",
				ks.mn);
			hex_print(cl, ks.ckn, ks.ckn_len);
			cmdline_printf(cl, "\", \"cak_generation\": %u, "
				"\"renewing\": %s, \"kn\": %u, \"tx_an\": %d, "
				"\"live\": %u, \"potential\": %u, "
				"\"eapol_rx\": %" PRIu64 ", \"eapol_tx\": %"
				PRIu64 ", \"eapol_tx_drops\": %" PRIu64
				", \"installs\": %" PRIu64 ", \"deletes\": %"
				PRIu64 ", \"install_errors\": %" PRIu64
				", \"peers\": [", ks.cak_generation,
				ks.renewing ? "true" : "false", ks.kn,
				ks.tx_an == 0xff ? -1 : (int)ks.tx_an,
				ks.nb_live, ks.nb_potential, mp->eapol_rx,
				mp->eapol_tx, mp->eapol_tx_drops, mp->installs,
				mp->deletes, mp->install_errors);
			for (k = 0; k < np; k++) {
				cmdline_printf(cl, "%s{\"sci\": \"%016" PRIx64
					"\", \"mi\": \"", k == 0 ? "" : ", ",
					ks.peer[k].sci);
				hex_print(cl, ks.peer[k].mi, 12);
				cmdline_printf(cl, "\", \"mn\": %u, "
					"\"priority\": %u, \"live\": %s, "
					"\"rx_ok\": %s}", ks.peer[k].mn,
					ks.peer[k].priority,
					ks.peer[k].live ? "true" : "false",
					ks.peer[k].rx_ok ? "true" : "false");
			}
			cmdline_printf(cl, "]");
#define X(f) cmdline_printf(cl, ", \"" #f "\": %" PRIu64, st.f);
			MKA_COUNTERS(X)
#undef X
			cmdline_printf(cl, "}");
			continue;
		}
		cmdline_printf(cl, "port %s: MKA %s, %s (key server SCI %016"
			PRIx64 "), KN %u, tx AN ", ss_app.cfg.ports[
			mp->c.port].name, ss_app_mka_state_name(ks.state),
			ks.key_server ? "we are key server" :
			"key server is a peer", ks.ks_sci, ks.kn);
		if (ks.tx_an == 0xff)
			cmdline_printf(cl, "none\n");
		else
			cmdline_printf(cl, "%u\n", ks.tx_an);
		cmdline_printf(cl, "  MI ");
		hex_print(cl, ks.mi, sizeof(ks.mi));
		cmdline_printf(cl, " MN %u, CKN ", ks.mn);
		hex_print(cl, ks.ckn, ks.ckn_len);
		cmdline_printf(cl, " (CAK generation %u%s)\n",
			ks.cak_generation, ks.renewing ? ", renewing" : "");
		cmdline_printf(cl, "  MKPDUs rx %" PRIu64 " tx %" PRIu64
			" (tx drops %" PRIu64 "), SAs installed %" PRIu64
			", deleted %" PRIu64 ", install errors %" PRIu64 "\n",
			mp->eapol_rx, mp->eapol_tx, mp->eapol_tx_drops,
			mp->installs, mp->deletes, mp->install_errors);
		for (k = 0; k < np; k++) {
			cmdline_printf(cl, "  peer SCI %016" PRIx64 " MI ",
				ks.peer[k].sci);
			hex_print(cl, ks.peer[k].mi, 12);
			cmdline_printf(cl, " MN %u priority %u %s%s\n",
				ks.peer[k].mn, ks.peer[k].priority,
				ks.peer[k].live ? "live" : "potential",
				ks.peer[k].rx_ok ? ", has our latest SAK" : "");
		}
#define X(f) if (st.f != 0) \
		cmdline_printf(cl, "  %-20s %" PRIu64 "\n", #f, st.f);
		MKA_COUNTERS(X)
#undef X
	}
	if (json)
		cmdline_printf(cl, "\n]\n");
}

/* ---- show macsec|mka [json] -------------------------------------------- */

struct cmd_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t json;
};

static void
cmd_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct cmd_show_result *r = parsed;
	const bool json = data == SS_SHELL_JSON;

	if (strcmp(r->what, "macsec") == 0)
		show_macsec(cl, json);
	else
		show_mka(cl, json);
}

static cmdline_parse_token_string_t cmd_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, show, "show");
static cmdline_parse_token_string_t cmd_show_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, what, "macsec#mka");
static cmdline_parse_token_string_t cmd_show_json =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, json, "json");

static cmdline_parse_inst_t cmd_show = {
	.f = cmd_show_parsed,
	.data = NULL,
	.help_str = "show macsec|mka: MACsec SecYs and SAs, or MKA "
		"participants and peers, per MACsec port",
	.tokens = {
		(void *)&cmd_show_show,
		(void *)&cmd_show_what,
		NULL,
	},
};

static cmdline_parse_inst_t cmd_show_j = {
	.f = cmd_show_parsed,
	.data = SS_SHELL_JSON,
	.help_str = "show macsec|mka json: the same as JSON",
	.tokens = {
		(void *)&cmd_show_show,
		(void *)&cmd_show_what,
		(void *)&cmd_show_json,
		NULL,
	},
};

/* ---- mka rekey|renew-cak PORT ------------------------------------------ */

struct cmd_mka_result {
	cmdline_fixed_string_t mka;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t port;
};

static void
cmd_mka_parsed(void *parsed, struct cmdline *cl, void *data)
{
	const struct cmd_mka_result *r = parsed;
	struct ss_app_msec_port *mp;
	const bool rekey = strcmp(r->what, "rekey") == 0;
	uint8_t port;
	int ret;

	RTE_SET_USED(data);
	/* the token accepted only a MACsec port's name */
	if (ss_shell_port_arg(cl, r->port, &port) < 0)
		return;
	mp = ss_app_macsec_by_port(port);
	if (mp == NULL) {
		ss_shell_fail(cl, "port %s is not a MACsec port",
			ss_app.cfg.ports[port].name);
		return;
	}
	ret = rekey ? ss_mka_sak_rekey(mp->mka, ss_app_macsec_now_ms()) :
		ss_mka_cak_renew(mp->mka, ss_app_macsec_now_ms());
	if (ret == -EPERM)
		ss_shell_fail(cl, "port %s: only the key server %s (see show "
			"mka)", ss_app.cfg.ports[port].name, rekey ?
			"distributes SAKs" : "renews the CAK");
	else if (ret == -EBUSY)
		ss_shell_fail(cl, "port %s: a CAK renewal is already running",
			ss_app.cfg.ports[port].name);
	else if (ret < 0)
		ss_shell_fail(cl, "port %s: %s", ss_app.cfg.ports[port].name,
			strerror(-ret));
	else
		cmdline_printf(cl, "  port %s: %s\n",
			ss_app.cfg.ports[port].name, rekey ?
			"new SAK distributed" : "CAK renewal started");
}

static cmdline_parse_token_string_t cmd_mka_mka =
	TOKEN_STRING_INITIALIZER(struct cmd_mka_result, mka, "mka");
static cmdline_parse_token_string_t cmd_mka_what =
	TOKEN_STRING_INITIALIZER(struct cmd_mka_result, what,
		"rekey#renew-cak");
/* The names of the MACsec ports, for TAB and for errors. */
static int
list_msec_ports(unsigned int idx, char *buf, size_t len, const void *arg)
{
	const struct ss_app_msec_port *mp;

	RTE_SET_USED(arg);
	mp = idx < 256 ? ss_app_macsec_port((uint8_t)idx) : NULL;
	if (mp == NULL)
		return -ENOENT;
	snprintf(buf, len, "%s", ss_app.cfg.ports[mp->c.port].name);
	return 0;
}

static struct ss_shell_token_choice cmd_mka_port =
	SS_SHELL_TOKEN_CHOICE(struct cmd_mka_result, port, "MACsec port",
		"MACsec ports", NULL, list_msec_ports, NULL, NULL);

static cmdline_parse_inst_t cmd_mka = {
	.f = cmd_mka_parsed,
	.data = NULL,
	.help_str = "mka rekey|renew-cak PORT: key server: distribute a new "
		"SAK now, or renew the CAK",
	.tokens = {
		(void *)&cmd_mka_mka,
		(void *)&cmd_mka_what,
		(void *)&cmd_mka_port,
		NULL,
	},
};

cmdline_parse_inst_t *const ss_cmd_macsec[] = {
	&cmd_show,
	&cmd_show_j,
	&cmd_mka,
	NULL,
};

const struct ss_shell_help ss_help_macsec[] = {
	{ "show macsec [json]", "each MACsec port's SecY: SCI, cipher, "
		"transmit and receive SAs with their PNs, 802.1AE counters" },
	{ "show mka [json]", "each MKA participant: state, key server, MI/MN, "
		"CKN and CAK generation, peers, counters" },
	{ "mka rekey PORT", "key server: make and distribute a new SAK now "
		"(rollover without frame loss)" },
	{ "mka renew-cak PORT", "key server: renew the CAK with every peer "
		"(new CAK and CKN derived on both ends)" },
	{ NULL, NULL },
};
