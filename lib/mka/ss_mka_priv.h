/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_MKA_PRIV_H
#define SS_MKA_PRIV_H

/* Internals shared by the MKA files, and by the unit test, which checks
 * the KDF, the key wrap and the MKPDU codec on their own. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_log.h>

#include "ss_mka.h"

extern int ss_mka_logtype;
#define SS_MKA_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_mka_logtype, "mka: " fmt "\n", \
		##__VA_ARGS__)

#define MKA_MI_LEN 12
#define MKA_ICV_LEN 16
#define MKA_HDR_LEN 4
#define MKA_BASIC_FIXED 28	/* basic set body without the CKN */
#define MKA_CKN_FIELD_MAX 64	/* a renewal offer's encrypted KDF input */
#define MKA_FRAME_MAX 1514
#define MKA_ETH_HDR 14
#define MKA_EAPOL_HDR 4
#define MKA_EAPOL_VERSION 3
#define MKA_EAPOL_TYPE 5
#define MKA_VERSION 3
#define MKA_ALGO_AGILITY 0x0080C201u
#define MKA_CAPABILITY 3	/* integrity and confidentiality, offsets */

/* Parameter set types (802.1X-2020 Table 11-7), plus ours. */
#define MKA_PS_LIVE 1
#define MKA_PS_POTENTIAL 2
#define MKA_PS_SAK_USE 3
#define MKA_PS_DIST_SAK 4
#define MKA_PS_XPN 8
#define MKA_PS_RENEW 0x7E	/* shardsec CAK renewal, see ss_mka_renew.c */
#define MKA_PS_ICV 255

#define MKA_SAK_USE_LEN 40
#define MKA_XPN_LEN 8
#define MKA_RENEW_OFFER 1
#define MKA_RENEW_ANSWER 2

#define MKA_CS_GCM_AES_128 0x0080C20001000001ull
#define MKA_CS_GCM_AES_256 0x0080C20001000002ull
#define MKA_CS_GCM_AES_XPN_128 0x0080C20001000003ull
#define MKA_CS_GCM_AES_XPN_256 0x0080C20001000004ull

/* One decoded (or to be encoded) MKPDU; pointers into the frame. */
struct mka_pdu {
	uint8_t src[6];
	uint8_t version;
	uint8_t priority;
	bool key_server;
	bool desired;
	uint8_t capability;
	uint64_t sci;
	uint8_t mi[MKA_MI_LEN];
	uint32_t mn;
	uint32_t algo;
	const uint8_t *ckn;
	uint8_t ckn_len;
	/* (MI, MN) entries of 16 octets */
	bool has_live;
	const uint8_t *live;
	uint16_t nb_live;
	bool has_potential;
	const uint8_t *potential;
	uint16_t nb_potential;
	bool has_sak_use;
	struct {
		uint8_t lan;
		bool ltx;
		bool lrx;
		uint8_t oan;
		bool otx;
		bool orx;
		bool ptx;
		bool prx;
		bool delay_protect;
		uint8_t lmi[MKA_MI_LEN];
		uint32_t lkn;
		uint32_t llpn;
		uint8_t omi[MKA_MI_LEN];
		uint32_t okn;
		uint32_t olpn;
	} use;
	bool has_dist;
	struct {
		uint8_t dan;
		uint8_t conf_offset;
		uint32_t kn;
		bool has_cs;
		uint64_t cs;
		const uint8_t *wrapped;
		uint8_t wrapped_len;
	} dist;
	bool has_xpn;
	struct {
		uint8_t suspension;
		uint32_t llpn_hi;
		uint32_t olpn_hi;
	} xpn;
	bool has_renew;
	struct {
		uint8_t phase;
		uint32_t id;
		const uint8_t *ckn;	/* offer: the current CKN */
		uint8_t ckn_len;
		const uint8_t *check;	/* answer: 16 octets */
	} renew;
	size_t icv_off;		/* octets the ICV covers */
	const uint8_t *icv;
};

/* ss_mka_pdu.c */
int
mka_pdu_decode(const uint8_t *frame, size_t len, struct mka_pdu *p);
/* Everything up to the ICV; returns its length, 0 if buf is too small. */
size_t
mka_pdu_encode(const struct mka_pdu *p, uint8_t *buf, size_t size);

/* ss_mka_kdf.c: 0 or -EIO/-EINVAL. */
int
mka_cmac(const uint8_t *key, size_t key_len, const uint8_t *msg,
	size_t msg_len, uint8_t out[16]);
int
mka_kdf(const uint8_t *key, size_t key_len, const char *label,
	const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t out_len);
int
mka_kdf_label(const uint8_t *key, size_t key_len, const uint8_t *label,
	size_t label_len, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
	size_t out_len);
int
mka_ick(const uint8_t *cak, size_t cak_len, const uint8_t *ckn,
	size_t ckn_len, uint8_t *ick);
int
mka_kek(const uint8_t *cak, size_t cak_len, const uint8_t *ckn,
	size_t ckn_len, uint8_t *kek);
int
mka_icv(const uint8_t *ick, size_t ick_len, const uint8_t *msg,
	size_t len, uint8_t icv[MKA_ICV_LEN]);
/* RFC 3394 (pad false) or RFC 5649 (pad true); returns the output length
 * or a negative errno. */
int
mka_wrap(const uint8_t *kek, size_t kek_len, bool pad, const uint8_t *in,
	size_t in_len, uint8_t *out);
int
mka_unwrap(const uint8_t *kek, size_t kek_len, bool pad,
	const uint8_t *in, size_t in_len, uint8_t *out);
int
mka_random(void *p, size_t n);

/* One SAK as this participant holds it, with its SAs. */
struct mka_sa_rx {
	uint64_t sci;
	uint32_t ssci;
	bool installed;		/* stored in the port */
	bool pending;		/* -EINPROGRESS */
};

struct mka_key {
	bool valid;
	struct ss_mka_sak sak;
	uint32_t ssci;		/* ours, for tx */
	uint16_t nb_rx;
	struct mka_sa_rx rx[SS_MKA_MAX_PEERS];
	bool tx_installed;
	bool tx_pending;
	bool tx_in_use;
};

struct mka_peer {
	bool used;
	bool live;
	uint64_t sci;
	uint8_t mi[MKA_MI_LEN];
	uint32_t mn;
	uint8_t priority;
	uint64_t expire_ms;
	uint32_t ssci;
	/* its SAK use report, for our latest key */
	bool rx_ok;
	bool tx_ok;
	uint64_t llpn;
	/* renewal: its answer to our current offer */
	bool renew_answered;
	bool renew_ok;
	bool on_new_ca;		/* seen under the new CKN since our switch */
};

/* One CA's keys. */
struct mka_ca {
	uint8_t cak[32];
	uint8_t cak_len;
	uint8_t ckn[SS_MKA_CKN_MAX];
	uint8_t ckn_len;
	uint8_t ick[32];
	uint8_t kek[32];
};

struct ss_mka {
	struct ss_mka_conf conf;	/* key fields wiped at create */
	const struct ss_mka_ops *ops;
	struct mka_ca ca;
	uint32_t cak_generation;
	uint64_t sci;
	uint8_t mi[MKA_MI_LEN];
	uint32_t mn;
	/* Our MN when the last two recency marks were taken (one at most
	 * every life_ms, on a send): a peer's copy of our MI and MN is
	 * recent when the MN is above mn_mark[1], so every MN we sent
	 * within the last MKA Life Time is recent (802.1X-2020 9.4.3), and
	 * none older than about twice that. */
	uint32_t mn_mark[2];
	uint64_t mark_ms;
	struct mka_peer peer[SS_MKA_MAX_PEERS];

	bool is_ks;
	bool have_ks;
	uint64_t ks_sci;
	uint8_t ks_mi[MKA_MI_LEN];
	uint32_t ks_kn;			/* last KN we made as key server */
	bool live_changed;		/* the live MI set moved since the SAK */
	uint64_t sak_time_ms;
	struct mka_key lat;		/* latest key */
	struct mka_key old;		/* old key */
	uint8_t last_an;		/* AN of the latest key ever seen */
	bool any_an;

	uint64_t next_hello_ms;
	bool tx_now;
	uint64_t now_ms;
	struct ss_mka_stats st;

	/* CAK renewal, key server side */
	struct {
		bool active;
		uint32_t id;
		uint64_t deadline_ms;
		uint8_t field[MKA_CKN_FIELD_MAX];
		uint8_t field_len;
		struct mka_ca next;
	} offer;
	uint64_t cak_time_ms;
	/* after our switch: the previous CA's ICK and CKN, for MKPDUs peers
	 * still send under it */
	struct {
		bool valid;
		uint64_t deadline_ms;
		struct mka_ca ca;
	} prev;
	/* CAK renewal, peer side */
	struct {
		bool valid;
		uint32_t id;
		uint64_t deadline_ms;
		uint8_t check[16];
		struct mka_ca ca;
	} pend;
};

/* ss_mka.c */
void
mka_peer_remove(struct ss_mka *k, struct mka_peer *p, bool expired);
uint16_t
mka_nb_live(const struct ss_mka *k);

/* ss_mka_sak.c */
void
mka_sak_rx(struct ss_mka *k, const struct mka_peer *from,
	const struct mka_pdu *p);
void
mka_sak_use_rx(struct ss_mka *k, struct mka_peer *from,
	const struct mka_pdu *p, bool live_us);
void
mka_sak_fill(struct ss_mka *k, struct mka_pdu *p, uint8_t *dist_buf);
void
mka_sak_progress(struct ss_mka *k);
int
mka_sak_generate(struct ss_mka *k);
void
mka_sak_delete(struct ss_mka *k, struct mka_key *key);
void
mka_sak_wipe(struct ss_mka *k);
uint64_t
mka_cs_ref(enum ss_mka_cipher c);
size_t
mka_sak_len(enum ss_mka_cipher c);
bool
mka_cipher_xpn(enum ss_mka_cipher c);
void
mka_xpn_salt(const uint8_t ki_mi[MKA_MI_LEN], uint32_t kn, uint8_t salt[12]);

/* ss_mka_renew.c */
int
mka_renew_start(struct ss_mka *k);
/* Which CA an MKPDU is for: 0 the current, 1 the pending (peer), 2 the
 * previous (key server after its switch), -1 none. */
int
mka_renew_pick_ca(const struct ss_mka *k, const struct mka_pdu *p,
	const struct mka_ca **ca);
void
mka_renew_rx(struct ss_mka *k, struct mka_peer *from,
	const struct mka_pdu *p, int which);
void
mka_renew_fill(struct ss_mka *k, struct mka_pdu *p, const uint8_t **ckn,
	uint8_t *ckn_len);
void
mka_renew_tick(struct ss_mka *k);
void
mka_renew_check_done(struct ss_mka *k);
void
mka_ca_wipe(struct mka_ca *ca);
int
mka_ca_derive(struct mka_ca *ca);

#endif /* SS_MKA_PRIV_H */
