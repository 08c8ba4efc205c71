/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* SecY objects and their SC / SA tables: the control plane. Every table
 * entry the data path reads is published with a release store; an SA
 * taken out of a table is wiped only after a QSBR grace period. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ss_macsec_priv.h"

RTE_LOG_REGISTER(ss_macsec_logtype, shardsec.macsec, INFO);

/* Defer queue entries: every SA an object can hold at once (the tables)
 * and as many again waiting for their grace period. */
#define DQ_SIZE (2 * (SS_MACSEC_MAX_RX_SC + 1) * SS_MACSEC_AN_COUNT)

static void
sa_wipe_free(struct ss_macsec *s, struct ss_macsec_sa *sa)
{
	TAILQ_REMOVE(&s->sas, sa, next);
	explicit_bzero(sa, sizeof(*sa));
	rte_free(sa);
}

/* Called by rte_rcu_qsbr_dq_reclaim on the control thread once the data
 * path has passed a quiescent state after the SA was unpublished. */
static void
dq_free(void *p, void *e, unsigned int n)
{
	struct ss_macsec *s = p;
	struct ss_macsec_sa *const *sa = e;
	unsigned int i;

	for (i = 0; i < n; i++)
		sa_wipe_free(s, sa[i]);
}

/* sa is out of every table: wipe it once no reader can hold it. */
static int
sa_retire(struct ss_macsec *s, struct ss_macsec_sa *sa)
{
	if (sa == NULL)
		return 0;
	if (s->dq == NULL) {
		sa_wipe_free(s, sa);
		return 0;
	}
	sa->state = SS_MACSEC_SA_RETIRED;
	/* The queue reclaims by itself when full; -ENOSPC means readers
	 * hold every slot's grace period open. */
	if (rte_rcu_qsbr_dq_enqueue(s->dq, &sa) != 0)
		return -ENOSPC;
	return 0;
}

/* Unpublish *slot and retire what it held; on failure the SA goes back
 * into the slot so that nothing is freed under a reader. */
static int
slot_clear(struct ss_macsec *s, struct ss_macsec_sa **slot)
{
	struct ss_macsec_sa *old = *slot;
	int rc;

	if (old == NULL)
		return 0;
	__atomic_store_n(slot, NULL, __ATOMIC_RELEASE);
	rc = sa_retire(s, old);
	if (rc != 0) {
		old->state = SS_MACSEC_SA_LIVE;
		__atomic_store_n(slot, old, __ATOMIC_RELEASE);
		SS_MACSEC_LOG(WARNING, "SA of AN %u not deleted: %s, retry "
			"once the data path has passed a quiescent state",
			old->an, strerror(-rc));
	}
	return rc;
}

struct ss_macsec *
ss_macsec_create(const struct ss_macsec_conf *conf, char *err, size_t len)
{
	static unsigned int seq;
	struct ss_macsec *s;
	char name[RTE_RCU_QSBR_DQ_NAMESIZE];

	if (conf == NULL) {
		snprintf(err, len, "no configuration");
		return NULL;
	}
	if (conf->cipher > SS_MACSEC_GCM_AES_XPN_256) {
		snprintf(err, len, "unknown cipher %d", (int)conf->cipher);
		return NULL;
	}
	if (conf->validate > SS_MACSEC_VALIDATE_STRICT) {
		snprintf(err, len, "unknown validateFrames %d",
			(int)conf->validate);
		return NULL;
	}
	if (conf->replay_window > SS_MACSEC_MAX_REPLAY_WINDOW) {
		snprintf(err, len, "replay window %u above %u",
			conf->replay_window, SS_MACSEC_MAX_REPLAY_WINDOW);
		return NULL;
	}
	s = rte_zmalloc_socket("ss_macsec", sizeof(*s), RTE_CACHE_LINE_SIZE,
		conf->socket);
	if (s == NULL) {
		snprintf(err, len, "no memory for the SecY");
		return NULL;
	}
	s->sci = conf->sci;
	s->xpn = conf->cipher == SS_MACSEC_GCM_AES_XPN_128 ||
		conf->cipher == SS_MACSEC_GCM_AES_XPN_256;
	s->key256 = conf->cipher == SS_MACSEC_GCM_AES_256 ||
		conf->cipher == SS_MACSEC_GCM_AES_XPN_256;
	s->confidentiality = conf->confidentiality;
	s->replay_protect = conf->replay_protect;
	s->replay_window = conf->replay_window;
	s->validate = conf->validate;
	s->qsbr = conf->qsbr;
	s->socket = conf->socket;
	s->tx_enc_an = -1;
	TAILQ_INIT(&s->sas);

	s->mgr = alloc_mb_mgr(0);
	s->ctl_mgr = alloc_mb_mgr(0);
	if (s->mgr == NULL || s->ctl_mgr == NULL) {
		snprintf(err, len, "no memory for intel-ipsec-mb managers");
		goto fail;
	}
	init_mb_mgr_auto(s->mgr, NULL);
	init_mb_mgr_auto(s->ctl_mgr, NULL);
	if (imb_get_errno(s->mgr) != 0 || imb_get_errno(s->ctl_mgr) != 0) {
		snprintf(err, len, "intel-ipsec-mb: %s",
			imb_get_strerror(imb_get_errno(s->mgr)));
		goto fail;
	}

	if (s->qsbr != NULL) {
		struct rte_rcu_qsbr_dq_parameters p = {
			.name = name,
			.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,
			.size = DQ_SIZE,
			.esize = sizeof(struct ss_macsec_sa *),
			.trigger_reclaim_limit = 0,
			.max_reclaim_size = DQ_SIZE,
			.free_fn = dq_free,
			.p = s,
			.v = s->qsbr,
		};

		snprintf(name, sizeof(name), "ssmacsec%u",
			__atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
		s->dq = rte_rcu_qsbr_dq_create(&p);
		if (s->dq == NULL) {
			snprintf(err, len, "defer queue: %s",
				rte_strerror(rte_errno));
			goto fail;
		}
	}
	return s;
fail:
	if (s->mgr != NULL)
		free_mb_mgr(s->mgr);
	if (s->ctl_mgr != NULL)
		free_mb_mgr(s->ctl_mgr);
	rte_free(s);
	return NULL;
}

void
ss_macsec_free(struct ss_macsec *s)
{
	struct ss_macsec_sa *sa;

	if (s == NULL)
		return;
	/* No data path call runs any more (the caller's promise): every
	 * SA, published or waiting in the defer queue, is wiped now. The
	 * queue's own entries then point nowhere, so it is deleted only if
	 * it is already empty of them, else left (a small leak, no key). */
	if (s->dq != NULL && rte_rcu_qsbr_dq_delete(s->dq) != 0)
		SS_MACSEC_LOG(WARNING, "defer queue not empty at free: "
			"a data path thread did not report quiescent");
	while ((sa = TAILQ_FIRST(&s->sas)) != NULL)
		sa_wipe_free(s, sa);
	free_mb_mgr(s->mgr);
	free_mb_mgr(s->ctl_mgr);
	explicit_bzero(s, sizeof(*s));
	rte_free(s);
}

/* A fresh SA with k's key schedule, not yet published. */
static int
sa_new(struct ss_macsec *s, uint8_t an, const struct ss_macsec_key *k,
	struct ss_macsec_sa **out)
{
	struct ss_macsec_sa *sa;

	if (an >= SS_MACSEC_AN_COUNT || k == NULL)
		return -EINVAL;
	if (k->sak_len != (s->key256 ? 32 : 16)) {
		SS_MACSEC_LOG(ERR, "SAK of %u octets for a %u-octet cipher",
			k->sak_len, s->key256 ? 32 : 16);
		return -EINVAL;
	}
	sa = rte_zmalloc_socket("ss_macsec_sa", sizeof(*sa),
		RTE_CACHE_LINE_SIZE, s->socket);
	if (sa == NULL)
		return -ENOMEM;
	if (s->key256)
		IMB_AES256_GCM_PRE(s->ctl_mgr, k->sak, &sa->gk);
	else
		IMB_AES128_GCM_PRE(s->ctl_mgr, k->sak, &sa->gk);
	if (imb_get_errno(s->ctl_mgr) != 0) {
		explicit_bzero(sa, sizeof(*sa));
		rte_free(sa);
		return -EINVAL;
	}
	if (s->xpn) {
		memcpy(sa->salt, k->salt, sizeof(sa->salt));
		sa->ssci = k->ssci;
	}
	sa->an = an;
	sa->pn_max = s->xpn ? UINT64_MAX : UINT32_MAX;
	sa->state = SS_MACSEC_SA_LIVE;
	TAILQ_INSERT_TAIL(&s->sas, sa, next);
	*out = sa;
	return 0;
}

int
ss_macsec_tx_sa_install(struct ss_macsec *s, uint8_t an,
	const struct ss_macsec_key *k, uint64_t next_pn)
{
	struct ss_macsec_sa *sa;
	int rc;

	if (s == NULL || an >= SS_MACSEC_AN_COUNT)
		return -EINVAL;
	if (s->tx_enc_an == an) {
		SS_MACSEC_LOG(ERR, "tx AN %u is the encoding AN", an);
		return -EBUSY;
	}
	if (next_pn == 0 || (!s->xpn && next_pn > UINT32_MAX)) {
		SS_MACSEC_LOG(ERR, "tx AN %u: next PN %" PRIu64 " out of range",
			an, next_pn);
		return -ERANGE;
	}
	rc = slot_clear(s, &s->tx_sa[an]);
	if (rc != 0)
		return rc;
	rc = sa_new(s, an, k, &sa);
	if (rc != 0)
		return rc;
	sa->next_pn = next_pn;
	__atomic_store_n(&s->tx_sa[an], sa, __ATOMIC_RELEASE);
	return 0;
}

int
ss_macsec_tx_sa_use(struct ss_macsec *s, uint8_t an)
{
	if (s == NULL || an >= SS_MACSEC_AN_COUNT)
		return -EINVAL;
	if (s->tx_sa[an] == NULL)
		return -ENOENT;
	__atomic_store_n(&s->tx_enc_an, (int32_t)an, __ATOMIC_RELEASE);
	return 0;
}

/* Control-plane lookup (no atomics needed: this thread writes them). */
static struct ss_macsec_rx_sc *
rx_sc_get(const struct ss_macsec *s, uint64_t sci)
{
	unsigned int i;

	for (i = 0; i < SS_MACSEC_MAX_RX_SC; i++)
		if (s->rx_sc[i].in_use != 0 && s->rx_sc[i].sci == sci)
			return (struct ss_macsec_rx_sc *)(uintptr_t)&s->rx_sc[i];
	return NULL;
}

int
ss_macsec_rx_sc_add(struct ss_macsec *s, uint64_t sci)
{
	unsigned int i;

	if (s == NULL)
		return -EINVAL;
	if (rx_sc_get(s, sci) != NULL)
		return 0;
	for (i = 0; i < SS_MACSEC_MAX_RX_SC; i++) {
		struct ss_macsec_rx_sc *sc = &s->rx_sc[i];

		if (sc->in_use != 0)
			continue;
		__atomic_store_n(&sc->sci, sci, __ATOMIC_RELAXED);
		__atomic_store_n(&sc->in_use, 1, __ATOMIC_RELEASE);
		s->nb_rx_sc++;
		return 0;
	}
	SS_MACSEC_LOG(ERR, "no room for rx SC %016" PRIx64, sci);
	return -ENOSPC;
}

int
ss_macsec_rx_sc_del(struct ss_macsec *s, uint64_t sci)
{
	struct ss_macsec_rx_sc *sc;
	unsigned int an;
	int rc = 0;

	if (s == NULL)
		return -EINVAL;
	sc = rx_sc_get(s, sci);
	if (sc == NULL)
		return -ENOENT;
	for (an = 0; an < SS_MACSEC_AN_COUNT; an++) {
		const int r = slot_clear(s, &sc->sa[an]);

		if (r != 0)
			rc = r;
	}
	if (rc != 0)
		return rc;
	__atomic_store_n(&sc->in_use, 0, __ATOMIC_RELEASE);
	s->nb_rx_sc--;
	return 0;
}

int
ss_macsec_rx_sa_install(struct ss_macsec *s, uint64_t sci, uint8_t an,
	const struct ss_macsec_key *k, uint64_t lowest_pn)
{
	struct ss_macsec_rx_sc *sc;
	struct ss_macsec_sa *sa;
	int rc;

	if (s == NULL || an >= SS_MACSEC_AN_COUNT)
		return -EINVAL;
	sc = rx_sc_get(s, sci);
	if (sc == NULL)
		return -ENOENT;
	if (!s->xpn && lowest_pn > UINT32_MAX)
		return -ERANGE;
	rc = slot_clear(s, &sc->sa[an]);
	if (rc != 0)
		return rc;
	rc = sa_new(s, an, k, &sa);
	if (rc != 0)
		return rc;
	/* PN 0 is never sent: the lowest acceptable PN is at least 1. */
	sa->lowest_pn = RTE_MAX(lowest_pn, (uint64_t)1);
	sa->next_pn = sa->lowest_pn;
	__atomic_store_n(&sc->sa[an], sa, __ATOMIC_RELEASE);
	return 0;
}

int
ss_macsec_sa_delete(struct ss_macsec *s, bool tx, uint64_t sci, uint8_t an)
{
	struct ss_macsec_rx_sc *sc;
	int rc;

	if (s == NULL || an >= SS_MACSEC_AN_COUNT)
		return -EINVAL;
	if (tx) {
		if (s->tx_sa[an] == NULL)
			return -ENOENT;
		/* The encoding SA goes: frames are dropped (no SA) until
		 * another AN is made the encoding one. */
		if (s->tx_enc_an == an)
			__atomic_store_n(&s->tx_enc_an, -1, __ATOMIC_RELEASE);
		rc = slot_clear(s, &s->tx_sa[an]);
		return rc;
	}
	sc = rx_sc_get(s, sci);
	if (sc == NULL || sc->sa[an] == NULL)
		return -ENOENT;
	return slot_clear(s, &sc->sa[an]);
}

uint64_t
ss_macsec_tx_next_pn(const struct ss_macsec *s, uint8_t an)
{
	const struct ss_macsec_sa *sa;

	if (s == NULL || an >= SS_MACSEC_AN_COUNT)
		return 0;
	sa = s->tx_sa[an];
	return sa == NULL ? 0 : __atomic_load_n(&sa->next_pn,
		__ATOMIC_RELAXED);
}

uint64_t
ss_macsec_rx_lowest_pn(const struct ss_macsec *s, uint64_t sci, uint8_t an)
{
	const struct ss_macsec_rx_sc *sc;
	const struct ss_macsec_sa *sa;

	if (s == NULL || an >= SS_MACSEC_AN_COUNT)
		return 0;
	sc = rx_sc_get(s, sci);
	if (sc == NULL)
		return 0;
	sa = sc->sa[an];
	return sa == NULL ? 0 : __atomic_load_n(&sa->lowest_pn,
		__ATOMIC_RELAXED);
}

int
ss_macsec_tx_encoding_an(const struct ss_macsec *s)
{
	int32_t an;

	if (s == NULL)
		return -EINVAL;
	an = __atomic_load_n(&s->tx_enc_an, __ATOMIC_RELAXED);
	return an < 0 ? -ENOENT : an;
}

void
ss_macsec_stats_get(const struct ss_macsec *s, struct ss_macsec_stats *st)
{
	if (s == NULL || st == NULL)
		return;
	*st = s->st;
}

void
ss_macsec_stats_clear(struct ss_macsec *s)
{
	if (s == NULL)
		return;
	memset(&s->st, 0, sizeof(s->st));
}
