/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * MACsec ports on the control lcore: the SecY of each port (lib/macsec,
 * used by the owning worker) and its MKA participant (lib/mka, run
 * here). MKPDUs come in from the workers' punt rings and from this
 * lcore's own RX queue, and go out on this lcore's TX queue unprotected
 * (EAPOL is the uncontrolled port). MKA's key installs go straight into
 * the SecY, which publishes them to the owner with release stores.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_string_fns.h>

#include "ss_app.h"
#include "ss_app_macsec.h"
#include "macsec_priv.h"

#define MSEC_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: macsec: " __VA_ARGS__)


const char *
ss_app_mka_state_name(enum ss_mka_state s)
{
	switch (s) {
	case SS_MKA_INIT:
		return "init";
	case SS_MKA_PEERING:
		return "peering";
	case SS_MKA_SECURED:
		return "secured";
	}
	return "?";
}

uint64_t
ss_app_macsec_now_ms(void)
{
	return rte_get_timer_cycles() /
		RTE_MAX(rte_get_timer_hz() / 1000, (uint64_t)1);
}

/* ---- debug key export ------------------------------------------------ */

/* Only with macsec.debug_save_keys: one line per installed SA, the
 * format tests/integration reads to check frames with scapy. */
static void
keys_save(const struct ss_app_msec_port *mp, const char *dir, uint64_t sci,
	uint32_t ssci, const struct ss_mka_sak *sak)
{
	struct ss_app_msec *ms = &ss_app_msec_state;
	uint8_t i;

	if (ms->keys == NULL)
		return;
	fprintf(ms->keys, "port %s %s sci %016" PRIx64 " an %u kn %u ssci "
		"%08x sak ", ss_app.cfg.ports[mp->c.port].name, dir, sci,
		sak->an, sak->kn, ssci);
	for (i = 0; i < sak->key_len; i++)
		fprintf(ms->keys, "%02x", sak->key[i]);
	fprintf(ms->keys, " salt ");
	for (i = 0; i < 12; i++)
		fprintf(ms->keys, "%02x", sak->salt[i]);
	fprintf(ms->keys, "\n");
	fflush(ms->keys);
}

/* ---- MKA ops: the port's side ------------------------------------------ */

static int
op_tx(void *arg, const uint8_t *frame, size_t len)
{
	struct ss_app_msec_port *mp = arg;
	struct rte_mbuf *m;
	char *d;

	m = rte_pktmbuf_alloc(ss_app.pool);
	if (m == NULL || len > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		mp->eapol_tx_drops++;
		return -ENOBUFS;
	}
	d = rte_pktmbuf_append(m, (uint16_t)len);
	memcpy(d, frame, len);
	/* The uncontrolled port: straight onto this lcore's queue. */
	if (rte_eth_tx_burst(ss_app.port_id[mp->c.port], ss_app.nb_workers,
			&m, 1) != 1) {
		rte_pktmbuf_free(m);
		mp->eapol_tx_drops++;
		return -ENOBUFS;
	}
	mp->eapol_tx++;
	return 0;
}

static void
key_from_sak(struct ss_macsec_key *k, uint32_t ssci,
	const struct ss_mka_sak *sak)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->sak, sak->key, sak->key_len);
	k->sak_len = sak->key_len;
	k->ssci = ssci;
	memcpy(k->salt, sak->salt, sizeof(k->salt));
}

static int
op_rx_sa_install(void *arg, uint64_t sci, uint32_t ssci,
	const struct ss_mka_sak *sak, uint64_t lowest_pn)
{
	struct ss_app_msec_port *mp = arg;
	struct ss_macsec_key k;
	int ret;

	ret = ss_macsec_rx_sc_add(mp->sy, sci);
	if (ret == 0) {
		key_from_sak(&k, ssci, sak);
		ret = ss_macsec_rx_sa_install(mp->sy, sci, sak->an, &k,
			lowest_pn);
		explicit_bzero(&k, sizeof(k));
	}
	if (ret < 0) {
		mp->install_errors++;
		MSEC_LOG(ERR, "port %s: receive SA sci %016" PRIx64 " an %u: "
			"%s\n", ss_app.cfg.ports[mp->c.port].name, sci,
			sak->an, strerror(-ret));
		return ret;
	}
	mp->installs++;
	keys_save(mp, "rx", sci, ssci, sak);
	MSEC_LOG(INFO, "port %s: receive SA sci %016" PRIx64 " an %u kn %u "
		"installed\n", ss_app.cfg.ports[mp->c.port].name, sci, sak->an,
		sak->kn);
	return 0;
}

static int
op_tx_sa_install(void *arg, uint32_t ssci, const struct ss_mka_sak *sak,
	uint64_t next_pn)
{
	struct ss_app_msec_port *mp = arg;
	struct ss_macsec_key k;
	int ret;

	key_from_sak(&k, ssci, sak);
	ret = ss_macsec_tx_sa_install(mp->sy, sak->an, &k, next_pn);
	explicit_bzero(&k, sizeof(k));
	if (ret < 0) {
		mp->install_errors++;
		MSEC_LOG(ERR, "port %s: transmit SA an %u: %s\n",
			ss_app.cfg.ports[mp->c.port].name, sak->an,
			strerror(-ret));
		return ret;
	}
	mp->installs++;
	keys_save(mp, "tx", mp->sci, ssci, sak);
	MSEC_LOG(INFO, "port %s: transmit SA an %u kn %u installed\n",
		ss_app.cfg.ports[mp->c.port].name, sak->an, sak->kn);
	return 0;
}

static int
op_tx_sa_use(void *arg, uint8_t an)
{
	struct ss_app_msec_port *mp = arg;
	int ret = ss_macsec_tx_sa_use(mp->sy, an);

	if (ret == 0)
		MSEC_LOG(INFO, "port %s: transmitting with an %u\n",
			ss_app.cfg.ports[mp->c.port].name, an);
	return ret;
}

static int
op_sa_delete(void *arg, bool tx, uint64_t sci, uint8_t an)
{
	struct ss_app_msec_port *mp = arg;
	int ret = ss_macsec_sa_delete(mp->sy, tx, sci, an);

	if (ret == 0)
		mp->deletes++;
	return ret;
}

static uint64_t
op_tx_next_pn(void *arg, uint8_t an)
{
	const struct ss_app_msec_port *mp = arg;

	return ss_macsec_tx_next_pn(mp->sy, an);
}

static uint64_t
op_rx_lowest_pn(void *arg, uint64_t sci, uint8_t an)
{
	const struct ss_app_msec_port *mp = arg;

	return ss_macsec_rx_lowest_pn(mp->sy, sci, an);
}

/* ---- set-up ------------------------------------------------------------- */

static struct ss_mka_ops port_ops[SS_CFG_MAX_PORTS];

static int
port_start(struct ss_app *app, struct ss_app_msec_port *mp)
{
	const struct ss_app_msec_cfg *c = &mp->c;
	const uint8_t *mac = app->port_mac[c->port].addr_bytes;
	struct ss_mka_ops *ops = &port_ops[mp - ss_app_msec_state.p];
	struct ss_macsec_conf sc;
	struct ss_mka_conf kc;
	uint64_t sci = 0;
	char err[256];
	int s, i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		sci = sci << 8 | mac[i];
	sci = sci << 16 | c->port_id;
	mp->sci = sci;
	for (s = 0; s < app->cfg.nb_servers; s++)
		if (app->cfg.servers[s].id == c->server)
			break;
	mp->owner = app->server_worker[s];
	memset(&sc, 0, sizeof(sc));
	sc.sci = sci;
	sc.cipher = c->cipher;
	sc.confidentiality = c->confidentiality;
	sc.replay_protect = c->replay_protect;
	sc.replay_window = c->replay_window;
	sc.validate = c->validate;
	sc.qsbr = app->qsbr;
	sc.socket = (int)rte_socket_id();
	mp->sy = ss_macsec_create(&sc, err, sizeof(err));
	if (mp->sy == NULL) {
		fprintf(stderr, "shardsec: macsec: port %s: %s\n",
			app->cfg.ports[c->port].name, err);
		return -EINVAL;
	}
	ops->tx = op_tx;
	ops->rx_sa_install = op_rx_sa_install;
	ops->tx_sa_install = op_tx_sa_install;
	ops->tx_sa_use = op_tx_sa_use;
	ops->sa_delete = op_sa_delete;
	ops->tx_next_pn = op_tx_next_pn;
	ops->rx_lowest_pn = op_rx_lowest_pn;
	ops->arg = mp;
	memset(&kc, 0, sizeof(kc));
	memcpy(kc.cak, c->cak, c->cak_len);
	kc.cak_len = c->cak_len;
	memcpy(kc.ckn, c->ckn, c->ckn_len);
	kc.ckn_len = c->ckn_len;
	memcpy(kc.mac, mac, sizeof(kc.mac));
	kc.port_id = c->port_id;
	kc.key_server_priority = c->priority;
	kc.cipher = (enum ss_mka_cipher)c->cipher;
	kc.confidentiality = c->confidentiality;
	kc.hello_ms = c->hello_ms;
	kc.life_ms = c->life_ms;
	kc.sak_rekey_s = c->sak_rekey_s;
	kc.cak_renew_s = c->cak_renew_s;
	kc.ops = ops;
	mp->mka = ss_mka_create(&kc, ss_app_macsec_now_ms(), err,
		sizeof(err));
	explicit_bzero(&kc, sizeof(kc));
	if (mp->mka == NULL) {
		fprintf(stderr, "shardsec: mka: port %s: %s\n",
			app->cfg.ports[c->port].name, err);
		return -EINVAL;
	}
	if (c->hold_packets != 0) {
		const struct ss_hold_conf hc = {
			.packets = c->hold_packets,
			.bytes = c->hold_packets * RTE_MBUF_DEFAULT_DATAROOM,
			.timeout_ms = c->hold_ms,
			.queues = 1,
		};

		mp->hold = ss_hold_create(&hc, (int)rte_lcore_to_socket_id(
			app->workers[mp->owner].lcore));
		if (mp->hold == NULL) {
			fprintf(stderr, "shardsec: macsec: port %s: cannot "
				"create its hold queue: %s\n",
				app->cfg.ports[c->port].name,
				rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	app->msec[c->port] = mp->sy;
	app->msec_owner[c->port] = mp->owner;
	app->msec_hold[c->port] = mp->hold;
	printf("shardsec: MACsec on port %s: SCI %016" PRIx64 ", %s%s, "
		"validate %s, SecY on worker %u (server %u), MKA key server "
		"priority %u\n", app->cfg.ports[c->port].name, sci,
		ss_app_macsec_cipher_name(c->cipher),
		c->confidentiality ? "" : " integrity only",
		ss_app_macsec_validate_name(c->validate), mp->owner,
		c->server, c->priority);
	return 0;
}

int
ss_app_macsec_init(struct ss_app *app)
{
	struct ss_app_msec *ms = &ss_app_msec_state;
	uint32_t mask = 0;
	uint8_t i;
	int ret;

	if (ms->n == 0)
		return 0;
	if (ms->save_keys[0] != '\0') {
		char path[sizeof(ms->save_keys) + 16];

		if (snprintf(path, sizeof(path), "%s/macsec_keys",
				ms->save_keys) >= (int)sizeof(path))
			return -ENAMETOOLONG;
		ms->keys = fopen(path, "a");
		if (ms->keys == NULL) {
			fprintf(stderr, "shardsec: macsec: debug_save_keys: "
				"%s: %s\n", path, strerror(errno));
			return -errno;
		}
		MSEC_LOG(WARNING, "debug_save_keys: MACsec SAKs are written "
			"to %s (DEBUG ONLY: anyone who reads it can decrypt "
			"the link)\n", path);
	}
	for (i = 0; i < ms->n; i++) {
		ret = port_start(app, &ms->p[i]);
		/* The MKA participant has its own copy now. */
		explicit_bzero(ms->p[i].c.cak, sizeof(ms->p[i].c.cak));
		if (ret < 0)
			return ret;
		mask |= UINT32_C(1) << ms->p[i].c.port;
	}
	/* Workers start after this: a plain store is published by the
	 * launch. */
	app->msec_mask = mask;
	return 0;
}

void
ss_app_macsec_fini(struct ss_app *app)
{
	struct ss_app_msec *ms = &ss_app_msec_state;
	uint8_t i;

	app->msec_mask = 0;
	for (i = 0; i < ms->n; i++) {
		struct ss_app_msec_port *mp = &ms->p[i];

		app->msec[mp->c.port] = NULL;
		app->msec_hold[mp->c.port] = NULL;
		ss_hold_free(mp->hold);
		mp->hold = NULL;
		ss_mka_free(mp->mka);
		mp->mka = NULL;
		ss_macsec_free(mp->sy);
		mp->sy = NULL;
	}
	if (ms->keys != NULL)
		fclose(ms->keys);
	ms->keys = NULL;
}

/* ---- the control lcore's work ------------------------------------------ */

int
ss_app_macsec_ctl_input(struct ss_app *app, struct rte_mbuf *m, uint8_t port)
{
	struct ss_app_msec_port *mp;
	const struct rte_ether_hdr *eh;

	RTE_SET_USED(app);
	if (rte_pktmbuf_data_len(m) < sizeof(*eh))
		return -ENOTSUP;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != RTE_BE16(SS_MKA_ETHERTYPE))
		return -ENOTSUP;
	mp = ss_app_macsec_by_port(port);
	if (mp == NULL)
		return -ENOTSUP;
	mp->eapol_rx++;
	/* MKPDUs are small: one segment (a longer one is malformed). */
	ss_mka_rx(mp->mka, rte_pktmbuf_mtod(m, const uint8_t *),
		rte_pktmbuf_data_len(m), ss_app_macsec_now_ms());
	rte_pktmbuf_free(m);
	return 0;
}

void
ss_app_macsec_timer(struct ss_app *app, uint64_t now_tsc)
{
	struct ss_app_msec *ms = &ss_app_msec_state;
	uint64_t now;
	uint8_t i;

	RTE_SET_USED(app);
	if (ms->n == 0)
		return;
	now = now_tsc / RTE_MAX(rte_get_timer_hz() / 1000, (uint64_t)1);
	for (i = 0; i < ms->n; i++) {
		struct ss_app_msec_port *mp = &ms->p[i];

		struct ss_mka_status st;

		if (now < mp->next_tick_ms)
			continue;
		mp->next_tick_ms = now + ss_mka_tick(mp->mka, now);
		ss_mka_status_get(mp->mka, &st);
		__atomic_store_n(&mp->tm_state, st.state, __ATOMIC_RELAXED);
		__atomic_store_n(&mp->tm_key_server, st.key_server,
			__ATOMIC_RELAXED);
		__atomic_store_n(&mp->tm_kn, st.kn, __ATOMIC_RELAXED);
		__atomic_store_n(&mp->tm_cak_generation, st.cak_generation,
			__ATOMIC_RELAXED);
		__atomic_store_n(&mp->tm_live, st.nb_live, __ATOMIC_RELAXED);
		__atomic_store_n(&mp->tm_tx_an, st.tx_an, __ATOMIC_RELAXED);
	}
}
