/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * The MKA participant: peer lists, liveness, key server election and the
 * MKPDUs we send. A peer enters the potential list on its first valid
 * MKPDU and becomes live once one of its MKPDUs lists our MI with a recent
 * MN (one we sent within MKA Life Time, no future MN); a live peer whose
 * valid MKPDU no longer does goes back to the potential list; a peer goes
 * after life_ms without a valid MKPDU.
 * Anything that changes what we would say (new peer, new live peer, new
 * SAK, installs done, renewal) sends an MKPDU at once rather than waiting
 * for the next hello, which is what makes a rollover take milliseconds.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ss_mka_priv.h"

RTE_LOG_REGISTER(ss_mka_logtype, shardsec.mka, INFO);

static struct mka_peer *
peer_by_mi(struct ss_mka *k, const uint8_t *mi)
{
	unsigned int i;

	for (i = 0; i < SS_MKA_MAX_PEERS; i++)
		if (k->peer[i].used &&
				memcmp(k->peer[i].mi, mi, MKA_MI_LEN) == 0)
			return &k->peer[i];
	return NULL;
}

static struct mka_peer *
peer_by_sci(struct ss_mka *k, uint64_t sci)
{
	unsigned int i;

	for (i = 0; i < SS_MKA_MAX_PEERS; i++)
		if (k->peer[i].used && k->peer[i].sci == sci)
			return &k->peer[i];
	return NULL;
}

uint16_t
mka_nb_live(const struct ss_mka *k)
{
	uint16_t n = 0;
	unsigned int i;

	for (i = 0; i < SS_MKA_MAX_PEERS; i++)
		if (k->peer[i].used && k->peer[i].live)
			n++;
	return n;
}

void
mka_peer_remove(struct ss_mka *k, struct mka_peer *p, bool expired)
{
	if (p->live)
		k->live_changed = true;
	if (expired)
		k->st.peers_expired++;
	memset(p, 0, sizeof(*p));
	k->tx_now = true;
}

/* Highest priority (lowest value), then lowest SCI, among the live
 * participants and ourselves; 255 never. No live peer: no key server. */
static void
elect(struct ss_mka *k)
{
	uint64_t best_sci = 0;
	const uint8_t *best_mi = NULL;
	int best_prio = 256;
	bool was_ks = k->is_ks;
	unsigned int i;

	if (mka_nb_live(k) == 0) {
		k->have_ks = false;
		k->is_ks = false;
		return;
	}
	if (k->conf.key_server_priority != 255) {
		best_prio = k->conf.key_server_priority;
		best_sci = k->sci;
		best_mi = k->mi;
	}
	for (i = 0; i < SS_MKA_MAX_PEERS; i++) {
		const struct mka_peer *p = &k->peer[i];

		if (!p->used || !p->live || p->priority == 255)
			continue;
		if (p->priority < best_prio ||
				(p->priority == best_prio &&
				p->sci < best_sci)) {
			best_prio = p->priority;
			best_sci = p->sci;
			best_mi = p->mi;
		}
	}
	if (best_mi == NULL) {
		k->have_ks = false;
		k->is_ks = false;
		return;
	}
	if (!k->have_ks || k->ks_sci != best_sci ||
			memcmp(k->ks_mi, best_mi, MKA_MI_LEN) != 0)
		k->tx_now = true;
	k->have_ks = true;
	k->ks_sci = best_sci;
	memcpy(k->ks_mi, best_mi, MKA_MI_LEN);
	k->is_ks = best_sci == k->sci && best_mi == k->mi;
	if (k->is_ks && !was_ks)
		k->live_changed = true;	/* a new key server makes a SAK */
}

/* Does the peer's MKPDU list our MI with a recent MN: one we have sent
 * (no future MN), and not before the older recency mark (see mn_mark)? A
 * peer still echoing an MN that old has heard nothing from us for longer
 * than MKA Life Time. */
static bool
lists_us(const struct ss_mka *k, const uint8_t *ent, uint16_t n)
{
	uint16_t i;
	uint32_t mn;

	for (i = 0; i < n; i++, ent += 16) {
		if (memcmp(ent, k->mi, MKA_MI_LEN) != 0)
			continue;
		mn = (uint32_t)ent[12] << 24 | (uint32_t)ent[13] << 16 |
			(uint32_t)ent[14] << 8 | ent[15];
		return mn <= k->mn && mn != 0 && mn > k->mn_mark[1];
	}
	return false;
}

/*
 * A live peer sent a valid MKPDU (good ICV, fresh MN) that does not list
 * our MI with a recent MN: it restarted its view of us, or our MKPDUs no
 * longer reach it. 802.1X-2020 9.4.3 has the Live Peer List hold only
 * peers whose recent MKPDUs list our MI and a recent MN; any other peer we
 * hear from is a potential peer. So it goes back to the potential list at
 * once rather than counting as live until it falls silent (which it may
 * never do): it no longer counts for the election, the receive SAs of the
 * next SAK or the transmit switch, and the key server makes a new SAK for
 * the live peers left, as when one leaves (live_changed). The entry, MI
 * and MN, stays for the replay check, and we go on listing it as
 * potential, so its first MKPDU that lists us again makes it live again
 * and the key server distributes a SAK that includes it.
 */
static void
peer_demote(struct ss_mka *k, struct mka_peer *p)
{
	p->live = false;
	k->live_changed = true;
	k->tx_now = true;
	k->st.peers_demoted++;
	SS_MKA_LOG(INFO, "SCI %016" PRIx64 ": live peer SCI %016" PRIx64
		" MN %u no longer lists our MI with a recent MN, now potential",
		k->sci, p->sci, p->mn);
}

static void
put_peer(uint8_t *b, const struct mka_peer *p)
{
	memcpy(b, p->mi, MKA_MI_LEN);
	b[12] = (uint8_t)(p->mn >> 24);
	b[13] = (uint8_t)(p->mn >> 16);
	b[14] = (uint8_t)(p->mn >> 8);
	b[15] = (uint8_t)p->mn;
}

static void
mka_send(struct ss_mka *k)
{
	uint8_t live[16 * SS_MKA_MAX_PEERS], pot[16 * SS_MKA_MAX_PEERS];
	uint8_t frame[MKA_FRAME_MAX];
	uint8_t dist[64];
	const uint8_t *ickk = k->ca.ick;
	struct mka_pdu p;
	unsigned int i;
	size_t len;

	memset(&p, 0, sizeof(p));
	memcpy(p.src, k->conf.mac, 6);
	p.version = MKA_VERSION;
	p.priority = k->conf.key_server_priority;
	p.key_server = k->is_ks || (!k->have_ks &&
		k->conf.key_server_priority != 255);
	p.desired = true;
	p.capability = MKA_CAPABILITY;
	p.sci = k->sci;
	memcpy(p.mi, k->mi, MKA_MI_LEN);
	if (k->now_ms >= k->mark_ms + k->conf.life_ms) {
		k->mn_mark[1] = k->mn_mark[0];
		k->mn_mark[0] = k->mn;
		k->mark_ms = k->now_ms;
	}
	p.mn = ++k->mn;
	p.algo = MKA_ALGO_AGILITY;
	p.ckn = k->ca.ckn;
	p.ckn_len = k->ca.ckn_len;
	p.live = live;
	p.potential = pot;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++) {
		const struct mka_peer *q = &k->peer[i];

		if (!q->used)
			continue;
		if (q->live)
			put_peer(live + 16 * p.nb_live++, q);
		else
			put_peer(pot + 16 * p.nb_potential++, q);
	}
	p.has_live = p.nb_live > 0;
	p.has_potential = p.nb_potential > 0;
	mka_sak_fill(k, &p, dist);
	mka_renew_fill(k, &p, &p.ckn, &p.ckn_len);
	len = mka_pdu_encode(&p, frame, sizeof(frame) - MKA_ICV_LEN);
	OPENSSL_cleanse(dist, sizeof(dist));
	if (len == 0 || mka_icv(ickk, k->ca.cak_len, frame, len,
			frame + len) < 0)
		return;
	k->tx_now = false;
	k->next_hello_ms = k->now_ms + k->conf.hello_ms;
	if (k->ops->tx(k->ops->arg, frame, len + MKA_ICV_LEN) == 0)
		k->st.tx_mkpdu++;
}

struct ss_mka *
ss_mka_create(const struct ss_mka_conf *conf, uint64_t now_ms, char *err,
	size_t len)
{
	struct ss_mka *k;
	const struct ss_mka_ops *o = conf == NULL ? NULL : conf->ops;

	if (conf == NULL || o == NULL || o->tx == NULL ||
			o->rx_sa_install == NULL || o->tx_sa_install == NULL ||
			o->tx_sa_use == NULL || o->sa_delete == NULL) {
		snprintf(err, len, "mka: ops missing");
		return NULL;
	}
	if (conf->cak_len != 16 && conf->cak_len != 32) {
		snprintf(err, len, "mka: CAK must be 16 or 32 octets");
		return NULL;
	}
	if (conf->ckn_len < 1 || conf->ckn_len > SS_MKA_CKN_MAX) {
		snprintf(err, len, "mka: CKN must be 1..32 octets");
		return NULL;
	}
	if (conf->cipher > SS_MKA_GCM_AES_XPN_256) {
		snprintf(err, len, "mka: unknown cipher suite");
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		snprintf(err, len, "mka: out of memory");
		return NULL;
	}
	k->conf = *conf;
	OPENSSL_cleanse(k->conf.cak, sizeof(k->conf.cak));
	if (k->conf.hello_ms == 0)
		k->conf.hello_ms = 2000;
	if (k->conf.life_ms == 0)
		k->conf.life_ms = 6000;
	k->ops = conf->ops;
	memcpy(k->ca.cak, conf->cak, conf->cak_len);
	k->ca.cak_len = conf->cak_len;
	memcpy(k->ca.ckn, conf->ckn, conf->ckn_len);
	k->ca.ckn_len = conf->ckn_len;
	if (mka_ca_derive(&k->ca) < 0 || mka_random(k->mi, MKA_MI_LEN) < 0) {
		snprintf(err, len, "mka: key derivation failed");
		ss_mka_free(k);
		return NULL;
	}
	k->sci = (uint64_t)conf->mac[0] << 56 | (uint64_t)conf->mac[1] << 48 |
		(uint64_t)conf->mac[2] << 40 | (uint64_t)conf->mac[3] << 32 |
		(uint64_t)conf->mac[4] << 24 | (uint64_t)conf->mac[5] << 16 |
		conf->port_id;
	k->now_ms = now_ms;
	k->next_hello_ms = now_ms;	/* the first tick says hello */
	k->sak_time_ms = now_ms;
	k->cak_time_ms = now_ms;
	k->mark_ms = now_ms;
	return k;
}

void
ss_mka_free(struct ss_mka *k)
{
	if (k == NULL)
		return;
	mka_sak_wipe(k);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

void
ss_mka_rx(struct ss_mka *k, const uint8_t *frame, size_t len,
	uint64_t now_ms)
{
	const struct mka_ca *ca;
	uint8_t icv[MKA_ICV_LEN];
	struct mka_pdu p;
	struct mka_peer *peer;
	unsigned int i;
	bool listed;
	int which;

	k->now_ms = now_ms;
	if (mka_pdu_decode(frame, len, &p) < 0) {
		k->st.rx_bad_format++;
		return;
	}
	which = mka_renew_pick_ca(k, &p, &ca);
	if (which < 0) {
		k->st.rx_unknown_ckn++;
		return;
	}
	if (mka_icv(ca->ick, ca->cak_len, frame, p.icv_off, icv) < 0 ||
			CRYPTO_memcmp(icv, p.icv, MKA_ICV_LEN) != 0) {
		k->st.rx_bad_icv++;
		return;
	}
	if (p.algo != MKA_ALGO_AGILITY) {
		k->st.rx_bad_format++;
		return;
	}
	if (memcmp(p.mi, k->mi, MKA_MI_LEN) == 0 || p.sci == k->sci) {
		k->st.rx_own++;
		return;
	}
	peer = peer_by_mi(k, p.mi);
	if (peer != NULL && p.mn <= peer->mn) {
		k->st.rx_replayed++;
		return;
	}
	if (peer == NULL) {
		/* a new MI for a known SCI: that participant restarted */
		peer = peer_by_sci(k, p.sci);
		if (peer != NULL)
			mka_peer_remove(k, peer, false);
		for (i = 0; i < SS_MKA_MAX_PEERS; i++)
			if (!k->peer[i].used)
				break;
		if (i == SS_MKA_MAX_PEERS)
			return;
		peer = &k->peer[i];
		peer->used = true;
		memcpy(peer->mi, p.mi, MKA_MI_LEN);
		peer->sci = p.sci;
		k->tx_now = true;
	}
	k->st.rx_mkpdu++;
	peer->mn = p.mn;
	peer->priority = p.priority;
	peer->expire_ms = now_ms + k->conf.life_ms;
	listed = lists_us(k, p.live, p.nb_live) ||
		lists_us(k, p.potential, p.nb_potential);
	if (!peer->live && listed) {
		peer->live = true;
		k->live_changed = true;
		k->tx_now = true;
	} else if (peer->live && !listed) {
		peer_demote(k, peer);
	}
	elect(k);
	mka_renew_rx(k, peer, &p, which);
	mka_sak_use_rx(k, peer, &p, lists_us(k, p.live, p.nb_live));
	mka_sak_rx(k, peer, &p);
	mka_sak_progress(k);
	mka_renew_check_done(k);
	if (k->tx_now)
		mka_send(k);
}

uint32_t
ss_mka_tick(struct ss_mka *k, uint64_t now_ms)
{
	uint64_t next;
	unsigned int i;
	bool gone = false;

	k->now_ms = now_ms;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++) {
		if (k->peer[i].used && k->peer[i].expire_ms <= now_ms) {
			mka_peer_remove(k, &k->peer[i], true);
			gone = true;
		}
	}
	if (gone)
		elect(k);
	mka_renew_tick(k);
	if (k->is_ks && mka_nb_live(k) > 0) {
		if (k->conf.sak_rekey_s != 0 && k->lat.valid &&
				now_ms >= k->sak_time_ms +
				(uint64_t)k->conf.sak_rekey_s * 1000)
			k->live_changed = true;
		if (k->conf.sak_rekey_pn != 0 && k->lat.tx_in_use &&
				k->ops->tx_next_pn != NULL &&
				k->ops->tx_next_pn(k->ops->arg,
				k->lat.sak.an) >= k->conf.sak_rekey_pn)
			k->live_changed = true;
		if (k->conf.cak_renew_s != 0 && !k->offer.active &&
				now_ms >= k->cak_time_ms +
				(uint64_t)k->conf.cak_renew_s * 1000)
			mka_renew_start(k);
	}
	mka_sak_progress(k);
	mka_renew_check_done(k);
	if (k->tx_now || now_ms >= k->next_hello_ms)
		mka_send(k);
	next = k->next_hello_ms;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++)
		if (k->peer[i].used && k->peer[i].expire_ms < next)
			next = k->peer[i].expire_ms;
	if (k->offer.active && k->offer.deadline_ms < next)
		next = k->offer.deadline_ms;
	if (k->pend.valid && k->pend.deadline_ms < next)
		next = k->pend.deadline_ms;
	return next > now_ms ? (uint32_t)(next - now_ms) : 0;
}

int
ss_mka_sak_rekey(struct ss_mka *k, uint64_t now_ms)
{
	int ret;

	k->now_ms = now_ms;
	if (!k->is_ks || mka_nb_live(k) == 0)
		return -EPERM;
	ret = mka_sak_generate(k);
	if (ret < 0)
		return ret;
	mka_sak_progress(k);
	mka_send(k);
	return 0;
}

int
ss_mka_cak_renew(struct ss_mka *k, uint64_t now_ms)
{
	int ret;

	k->now_ms = now_ms;
	if (!k->is_ks || mka_nb_live(k) == 0)
		return -EPERM;
	if (k->offer.active)
		return -EBUSY;
	ret = mka_renew_start(k);
	if (ret < 0)
		return ret;
	mka_send(k);
	return 0;
}

void
ss_mka_status_get(const struct ss_mka *k, struct ss_mka_status *st)
{
	unsigned int i, n = 0;

	memset(st, 0, sizeof(*st));
	st->key_server = k->is_ks;
	st->ks_sci = k->have_ks ? k->ks_sci : 0;
	memcpy(st->mi, k->mi, MKA_MI_LEN);
	st->mn = k->mn;
	memcpy(st->ckn, k->ca.ckn, k->ca.ckn_len);
	st->ckn_len = k->ca.ckn_len;
	st->cak_generation = k->cak_generation;
	st->renewing = k->offer.active || k->pend.valid;
	st->kn = k->lat.valid ? k->lat.sak.kn : 0;
	st->tx_an = 0xff;
	if (k->lat.valid && k->lat.tx_in_use)
		st->tx_an = k->lat.sak.an;
	else if (k->old.valid && k->old.tx_in_use)
		st->tx_an = k->old.sak.an;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++) {
		const struct mka_peer *p = &k->peer[i];

		if (!p->used)
			continue;
		if (p->live)
			st->nb_live++;
		else
			st->nb_potential++;
		st->peer[n].sci = p->sci;
		memcpy(st->peer[n].mi, p->mi, MKA_MI_LEN);
		st->peer[n].mn = p->mn;
		st->peer[n].priority = p->priority;
		st->peer[n].live = p->live;
		st->peer[n].rx_ok = p->rx_ok;
		n++;
	}
	if (st->nb_live == 0)
		st->state = SS_MKA_INIT;
	else if (st->tx_an != 0xff && k->lat.valid && k->lat.tx_in_use)
		st->state = SS_MKA_SECURED;
	else
		st->state = SS_MKA_PEERING;
}

void
ss_mka_stats_get(const struct ss_mka *k, struct ss_mka_stats *st)
{
	*st = k->st;
}

void
ss_mka_stats_clear(struct ss_mka *k)
{
	memset(&k->st, 0, sizeof(k->st));
}
