/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * SAKs: generation and distribution (key server), reception, installs
 * and the transmit switch. We hold at most two keys, the latest and the
 * old one, as the SAK Use parameter set reports them.
 *
 * The switch rule (a simplification of the 802.1X-2020 12.x CP machine's
 * receive-then-transmit order, the same for the key server and everyone
 * else): a participant makes the latest SAK its transmit SA when
 *  - its own receive SAs for it (one per live peer) and its transmit SA
 *    are stored in the port (an install that returned -EINPROGRESS counts
 *    once ss_mka_sak_stored reported it), and
 *  - every live peer has an SA for it here and reports, in its SAK Use
 *    set, that key (KS MI, KN) as its latest with LRx set.
 * So nobody sends on the new AN before every receiver can take it. The old
 * transmit SA is deleted right after the switch; the old receive SAs when
 * every live peer reports LTx for the latest key (it no longer sends on
 * the old AN), or when a newer key pushes the old one out.
 * A new key that arrives before the latest one was ever used for transmit
 * replaces it, so the key in use is never deleted under the data plane.
 */

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ss_mka_priv.h"

uint64_t
mka_cs_ref(enum ss_mka_cipher c)
{
	switch (c) {
	case SS_MKA_GCM_AES_256:
		return MKA_CS_GCM_AES_256;
	case SS_MKA_GCM_AES_XPN_128:
		return MKA_CS_GCM_AES_XPN_128;
	case SS_MKA_GCM_AES_XPN_256:
		return MKA_CS_GCM_AES_XPN_256;
	default:
		return MKA_CS_GCM_AES_128;
	}
}

size_t
mka_sak_len(enum ss_mka_cipher c)
{
	return c == SS_MKA_GCM_AES_256 || c == SS_MKA_GCM_AES_XPN_256 ?
		32 : 16;
}

bool
mka_cipher_xpn(enum ss_mka_cipher c)
{
	return c == SS_MKA_GCM_AES_XPN_128 || c == SS_MKA_GCM_AES_XPN_256;
}

/* 802.1AEbw (802.1X-2020 9.8.2), the 96-bit salt of an XPN SAK: its 64
 * least significant bits are those of the key server's MI (the KI's),
 * the next 16 the MI's next 16 XOR the KN's 16 most significant bits, the
 * 16 most significant the MI's 16 most significant XOR the KN's 16 least
 * significant bits. Both ends compute it from the KI, so it never goes on
 * the wire. */
void
mka_xpn_salt(const uint8_t ki_mi[MKA_MI_LEN], uint32_t kn, uint8_t salt[12])
{
	memcpy(salt, ki_mi, 12);
	salt[0] ^= (uint8_t)(kn >> 8);
	salt[1] ^= (uint8_t)kn;
	salt[2] ^= (uint8_t)(kn >> 24);
	salt[3] ^= (uint8_t)(kn >> 16);
}

/* XPN short SCIs: the live participants (us included) in ascending SCI
 * order get 1, 2, 3 ... so every member computes the same numbers. */
static uint32_t
ssci_of(const struct ss_mka *k, uint64_t sci)
{
	uint32_t n = 1;
	unsigned int i;

	if (!mka_cipher_xpn(k->conf.cipher))
		return 0;
	if (k->sci < sci)
		n++;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++)
		if (k->peer[i].used && k->peer[i].live &&
				k->peer[i].sci < sci)
			n++;
	return n;
}

static bool
key_ready(const struct mka_key *key)
{
	uint16_t i;

	if (!key->valid || !key->tx_installed)
		return false;
	for (i = 0; i < key->nb_rx; i++)
		if (!key->rx[i].installed)
			return false;
	return true;
}

void
mka_sak_delete(struct ss_mka *k, struct mka_key *key)
{
	uint16_t i;

	if (!key->valid)
		return;
	for (i = 0; i < key->nb_rx; i++)
		if (key->rx[i].installed || key->rx[i].pending)
			k->ops->sa_delete(k->ops->arg, false, key->rx[i].sci,
				key->sak.an);
	if (key->tx_installed || key->tx_pending)
		k->ops->sa_delete(k->ops->arg, true, 0, key->sak.an);
	OPENSSL_cleanse(key, sizeof(*key));
}

void
mka_sak_wipe(struct ss_mka *k)
{
	OPENSSL_cleanse(&k->lat, sizeof(k->lat));
	OPENSSL_cleanse(&k->old, sizeof(k->old));
}

static int
install_result(int ret, bool *installed, bool *pending)
{
	*installed = ret == 0;
	*pending = ret == -EINPROGRESS;
	return ret;
}

/* Makes sak the latest key and installs its SAs. */
static void
set_latest(struct ss_mka *k, const struct ss_mka_sak *sak)
{
	struct mka_key *key = &k->lat;
	unsigned int i;

	if (k->lat.valid && !k->lat.tx_in_use && k->old.valid) {
		mka_sak_delete(k, &k->lat);
	} else {
		mka_sak_delete(k, &k->old);
		k->old = k->lat;
	}
	memset(key, 0, sizeof(*key));
	key->valid = true;
	key->sak = *sak;
	key->ssci = ssci_of(k, k->sci);
	k->last_an = sak->an;
	k->any_an = true;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++) {
		struct mka_peer *p = &k->peer[i];
		struct mka_sa_rx *rx;

		p->rx_ok = false;
		p->tx_ok = false;
		if (!p->used || !p->live)
			continue;
		rx = &key->rx[key->nb_rx++];
		rx->sci = p->sci;
		rx->ssci = ssci_of(k, p->sci);
		install_result(k->ops->rx_sa_install(k->ops->arg, rx->sci,
			rx->ssci, &key->sak, 1), &rx->installed, &rx->pending);
	}
	install_result(k->ops->tx_sa_install(k->ops->arg, key->ssci,
		&key->sak, 1), &key->tx_installed, &key->tx_pending);
	if (key_ready(key))
		k->st.sak_installed++;
	k->tx_now = true;
}

int
mka_sak_generate(struct ss_mka *k)
{
	uint8_t ctx[32 + MKA_MI_LEN * (SS_MKA_MAX_PEERS + 1) + 4];
	struct ss_mka_sak sak;
	size_t off = 32;
	unsigned int i;
	uint32_t kn;
	int ret;

	ret = mka_random(ctx, 32);
	if (ret < 0)
		return ret;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++) {
		if (k->peer[i].used && k->peer[i].live) {
			memcpy(ctx + off, k->peer[i].mi, MKA_MI_LEN);
			off += MKA_MI_LEN;
		}
	}
	memcpy(ctx + off, k->mi, MKA_MI_LEN);
	off += MKA_MI_LEN;
	kn = k->ks_kn + 1;
	ctx[off++] = (uint8_t)(kn >> 24);
	ctx[off++] = (uint8_t)(kn >> 16);
	ctx[off++] = (uint8_t)(kn >> 8);
	ctx[off++] = (uint8_t)kn;
	memset(&sak, 0, sizeof(sak));
	sak.key_len = (uint8_t)mka_sak_len(k->conf.cipher);
	ret = mka_kdf(k->ca.cak, k->ca.cak_len, "IEEE8021 SAK", ctx, off,
		sak.key, sak.key_len);
	OPENSSL_cleanse(ctx, sizeof(ctx));
	if (ret < 0)
		return ret;
	k->ks_kn = kn;
	memcpy(sak.ki_mi, k->mi, MKA_MI_LEN);
	sak.kn = kn;
	sak.an = k->any_an ? (uint8_t)((k->last_an + 1) & 3) : 0;
	if (mka_cipher_xpn(k->conf.cipher))
		mka_xpn_salt(sak.ki_mi, sak.kn, sak.salt);
	set_latest(k, &sak);
	OPENSSL_cleanse(&sak, sizeof(sak));
	k->st.sak_generated++;
	k->live_changed = false;
	k->sak_time_ms = k->now_ms;
	return 0;
}

static bool
is_latest(const struct ss_mka *k, const uint8_t *mi, uint32_t kn)
{
	return k->lat.valid && k->lat.sak.kn == kn &&
		memcmp(k->lat.sak.ki_mi, mi, MKA_MI_LEN) == 0;
}

void
mka_sak_rx(struct ss_mka *k, const struct mka_peer *from,
	const struct mka_pdu *p)
{
	struct ss_mka_sak sak;
	size_t sak_len = mka_sak_len(k->conf.cipher);
	uint8_t key[40];
	int ret;

	if (!p->has_dist || p->dist.wrapped == NULL)
		return;
	/* only the key server we elected distributes, to live peers */
	if (k->is_ks || !k->have_ks || !from->live ||
			from->sci != k->ks_sci ||
			memcmp(from->mi, k->ks_mi, MKA_MI_LEN) != 0)
		return;
	if (is_latest(k, p->mi, p->dist.kn) || (k->old.valid &&
			k->old.sak.kn == p->dist.kn &&
			memcmp(k->old.sak.ki_mi, p->mi, MKA_MI_LEN) == 0))
		return;
	if (p->dist.cs != mka_cs_ref(k->conf.cipher) ||
			p->dist.wrapped_len != sak_len + 8) {
		k->st.rx_bad_format++;
		return;
	}
	ret = mka_unwrap(k->ca.kek, k->ca.cak_len, false, p->dist.wrapped,
		p->dist.wrapped_len, key);
	if (ret != (int)sak_len) {
		OPENSSL_cleanse(key, sizeof(key));
		k->st.sak_unwrap_failed++;
		return;
	}
	k->st.sak_received++;
	memset(&sak, 0, sizeof(sak));
	memcpy(sak.key, key, sak_len);
	OPENSSL_cleanse(key, sizeof(key));
	sak.key_len = (uint8_t)sak_len;
	memcpy(sak.ki_mi, p->mi, MKA_MI_LEN);
	sak.kn = p->dist.kn;
	sak.an = p->dist.dan;
	if (mka_cipher_xpn(k->conf.cipher))
		mka_xpn_salt(sak.ki_mi, sak.kn, sak.salt);
	set_latest(k, &sak);
	OPENSSL_cleanse(&sak, sizeof(sak));
}

/* live_us: the MKPDU lists us in its Live Peer List. A peer installs
 * receive SAs for its live peers only, so its LRx says nothing of us while
 * it holds us as potential (it has just demoted us, say): switching
 * transmit on that report would send it frames it cannot take. */
void
mka_sak_use_rx(struct ss_mka *k, struct mka_peer *from,
	const struct mka_pdu *p, bool live_us)
{
	bool was = from->rx_ok;

	from->rx_ok = false;
	from->tx_ok = false;
	if (!p->has_sak_use || !is_latest(k, p->use.lmi, p->use.lkn))
		return;
	from->rx_ok = p->use.lrx && live_us;
	from->tx_ok = p->use.ltx;
	from->llpn = p->use.llpn;
	if (p->has_xpn)
		from->llpn |= (uint64_t)p->xpn.llpn_hi << 32;
	if (k->is_ks && k->conf.sak_rekey_pn != 0 && from->llpn >=
			k->conf.sak_rekey_pn && k->lat.tx_in_use)
		k->live_changed = true;
	if (from->rx_ok != was)
		k->tx_now = true;
}

static bool
has_rx_sa(const struct mka_key *key, uint64_t sci)
{
	uint16_t i;

	for (i = 0; i < key->nb_rx; i++)
		if (key->rx[i].sci == sci)
			return true;
	return false;
}

void
mka_sak_progress(struct ss_mka *k)
{
	bool all_rx = true, all_tx = true;
	uint16_t nb_live = mka_nb_live(k);
	unsigned int i;

	if (k->is_ks && nb_live > 0 && (!k->lat.valid || k->live_changed ||
			memcmp(k->lat.sak.ki_mi, k->mi, MKA_MI_LEN) != 0))
		mka_sak_generate(k);
	if (!k->lat.valid || nb_live == 0)
		return;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++) {
		const struct mka_peer *p = &k->peer[i];

		if (!p->used || !p->live)
			continue;
		if (!p->rx_ok || !has_rx_sa(&k->lat, p->sci))
			all_rx = false;
		if (!p->tx_ok)
			all_tx = false;
	}
	if (!k->lat.tx_in_use && all_rx && key_ready(&k->lat)) {
		if (k->ops->tx_sa_use(k->ops->arg, k->lat.sak.an) == 0) {
			k->lat.tx_in_use = true;
			k->st.sak_in_use++;
			k->tx_now = true;
			if (k->old.valid && (k->old.tx_installed ||
					k->old.tx_pending)) {
				k->ops->sa_delete(k->ops->arg, true, 0,
					k->old.sak.an);
				k->old.tx_installed = false;
				k->old.tx_pending = false;
				k->old.tx_in_use = false;
			}
		}
	}
	if (k->lat.tx_in_use && all_tx && k->old.valid) {
		mka_sak_delete(k, &k->old);
		k->tx_now = true;
	}
}

static uint64_t
key_lpn(const struct ss_mka *k, const struct mka_key *key)
{
	uint64_t lpn = 0, v;
	uint16_t i;

	if (!key->valid || k->ops->rx_lowest_pn == NULL)
		return 0;
	for (i = 0; i < key->nb_rx; i++) {
		if (!key->rx[i].installed)
			continue;
		v = k->ops->rx_lowest_pn(k->ops->arg, key->rx[i].sci,
			key->sak.an);
		if (v > lpn)
			lpn = v;
	}
	return lpn;
}

void
mka_sak_fill(struct ss_mka *k, struct mka_pdu *p, uint8_t *dist_buf)
{
	uint64_t llpn, olpn;
	unsigned int i;
	bool need = false;
	int n;

	if (!k->lat.valid && !k->old.valid)
		return;
	p->has_sak_use = true;
	if (k->lat.valid) {
		p->use.lan = k->lat.sak.an;
		p->use.ltx = k->lat.tx_in_use;
		p->use.lrx = key_ready(&k->lat);
		memcpy(p->use.lmi, k->lat.sak.ki_mi, MKA_MI_LEN);
		p->use.lkn = k->lat.sak.kn;
	}
	if (k->old.valid) {
		p->use.oan = k->old.sak.an;
		p->use.otx = k->old.tx_in_use;
		p->use.orx = key_ready(&k->old) || k->old.nb_rx > 0;
		memcpy(p->use.omi, k->old.sak.ki_mi, MKA_MI_LEN);
		p->use.okn = k->old.sak.kn;
	}
	p->use.ptx = !(k->lat.tx_in_use || k->old.tx_in_use);
	llpn = key_lpn(k, &k->lat);
	olpn = key_lpn(k, &k->old);
	p->use.llpn = (uint32_t)llpn;
	p->use.olpn = (uint32_t)olpn;
	if (mka_cipher_xpn(k->conf.cipher)) {
		p->has_xpn = true;
		p->xpn.llpn_hi = (uint32_t)(llpn >> 32);
		p->xpn.olpn_hi = (uint32_t)(olpn >> 32);
	}
	/* the key server repeats its SAK until every live peer uses it */
	if (!k->is_ks || !k->lat.valid ||
			memcmp(k->lat.sak.ki_mi, k->mi, MKA_MI_LEN) != 0)
		return;
	for (i = 0; i < SS_MKA_MAX_PEERS; i++)
		if (k->peer[i].used && k->peer[i].live && !k->peer[i].rx_ok)
			need = true;
	if (!need)
		return;
	n = mka_wrap(k->ca.kek, k->ca.cak_len, false, k->lat.sak.key,
		k->lat.sak.key_len, dist_buf);
	if (n < 0)
		return;
	p->has_dist = true;
	p->dist.dan = k->lat.sak.an;
	p->dist.conf_offset = k->conf.confidentiality ? 1 : 0;
	p->dist.kn = k->lat.sak.kn;
	p->dist.cs = mka_cs_ref(k->conf.cipher);
	p->dist.has_cs = k->conf.cipher != SS_MKA_GCM_AES_128;
	p->dist.wrapped = dist_buf;
	p->dist.wrapped_len = (uint8_t)n;
	k->st.sak_distributed++;
}

void
ss_mka_sak_stored(struct ss_mka *k, bool tx, uint64_t sci, uint8_t an,
	int status, uint64_t now_ms)
{
	struct mka_key *keys[2] = {&k->lat, &k->old};
	unsigned int j;
	uint16_t i;

	k->now_ms = now_ms;
	for (j = 0; j < 2; j++) {
		struct mka_key *key = keys[j];
		bool was = key_ready(key);

		if (!key->valid || key->sak.an != an)
			continue;
		if (tx && key->tx_pending) {
			key->tx_pending = false;
			key->tx_installed = status == 0;
		}
		for (i = 0; !tx && i < key->nb_rx; i++) {
			if (key->rx[i].sci == sci && key->rx[i].pending) {
				key->rx[i].pending = false;
				key->rx[i].installed = status == 0;
			}
		}
		if (!was && key_ready(key)) {
			k->st.sak_installed++;
			k->tx_now = true;
		}
	}
	mka_sak_progress(k);
	if (k->tx_now)
		ss_mka_tick(k, now_ms);
}
