/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The "ipsec-mb" back-end (ss_esp_mb.h): ESP framing and direct
 * intel-ipsec-mb calls. GCM is one call per packet (the library has no
 * multi-buffer GCM); CBC + HMAC goes through the job manager, whose
 * multi-buffer lanes take the burst's jobs together. */

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <netinet/in.h>

/* Only the IMB_ names: the old short ones (CBC, ENCRYPT...) clash. */
#define NO_COMPAT_IMB_API_053
#include <intel-ipsec-mb.h>

#include <rte_byteorder.h>
#include <wmmintrin.h>

#include <rte_cpuflags.h>
#include <rte_errno.h>
#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_udp.h>

#include "ss_esp_priv.h"
#include "ss_esp_mb.h"

enum mb_kind {
	MB_GCM128,
	MB_GCM256,
	MB_CBC,			/* AES-CBC-128/256 + HMAC-SHA-256-128 */
	MB_NULL,		/* NULL + HMAC-SHA-256-128 */
};

/* Key material of one SA (wiped on destroy) and its outbound state. */
struct mb_sa {
	struct gcm_key_data gk;
	uint8_t ek[16 * 15] __rte_aligned(16);	/* AES encrypt schedule */
	uint8_t dk[16 * 15] __rte_aligned(16);	/* AES decrypt schedule */
	uint8_t ivk[16 * 15] __rte_aligned(16);	/* IV key (CBC, outbound) */
	uint8_t ipad[32] __rte_aligned(16);	/* HMAC inner state */
	uint8_t opad[32] __rte_aligned(16);	/* HMAC outer state */
	aes_gcm_enc_dec_t gcm;			/* GCM: this SA's direction */
	/* Tunnel mode: outer IP header, UDP header (ports) and SPI as
	 * they go on the wire, lengths and checksums left 0. */
	uint8_t tpl[64] __rte_aligned(16);
	uint32_t tpl_sum;	/* IPv4 header's sum without length, ID */
	uint64_t sqn;				/* last sequence number sent */
	uint64_t ivc;				/* CBC IV counter */
	uint8_t salt[4];
	rte_be32_t spi;
	uint8_t kind;
	uint8_t ckey;				/* AES key bytes (CBC) */
};

/* Key set-up only reads the manager's function pointers, so one shared
 * manager serves every control thread. */
static IMB_MGR *ctl_mgr;
static pthread_once_t ctl_once = PTHREAD_ONCE_INIT;
/* CBC IVs with AES-NI here (iv_burst), else one library call each. */
static bool iv_aesni;

static void
ctl_mgr_init(void)
{
	ctl_mgr = ss_esp_mb_mgr_create();
	iv_aesni = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AES) > 0;
}

void *
ss_esp_mb_mgr_create(void)
{
	IMB_MGR *mgr = alloc_mb_mgr(0);

	if (mgr == NULL)
		return NULL;
	init_mb_mgr_auto(mgr, NULL);
	if (imb_get_errno(mgr) != 0) {
		free_mb_mgr(mgr);
		return NULL;
	}
	return mgr;
}

void
ss_esp_mb_mgr_free(void *mgr)
{
	if (mgr != NULL)
		free_mb_mgr(mgr);
}

/* HMAC-SHA-256 with a 32-byte key: the states after the ipad and the
 * opad blocks (RFC 2104), as the job manager wants them. */
static void
hmac_pads(IMB_MGR *mgr, const uint8_t *key, uint8_t *ipad, uint8_t *opad)
{
	uint8_t blk[64];
	unsigned int i;

	memset(blk, 0x36, sizeof(blk));
	for (i = 0; i < 32; i++)
		blk[i] ^= key[i];
	IMB_SHA256_ONE_BLOCK(mgr, blk, ipad);
	memset(blk, 0x5c, sizeof(blk));
	for (i = 0; i < 32; i++)
		blk[i] ^= key[i];
	IMB_SHA256_ONE_BLOCK(mgr, blk, opad);
	explicit_bzero(blk, sizeof(blk));
}

static void
tpl_make(struct mb_sa *k, const struct ss_sa *sa)
{
	uint8_t *e;

	if (sa->local.family == AF_INET) {
		struct rte_ipv4_hdr *h = (void *)k->tpl;

		h->version_ihl = 0x45;
		h->time_to_live = 64;
		h->next_proto_id = sa->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;
		h->src_addr = sa->local.v4;
		h->dst_addr = sa->peer.v4;
		k->tpl_sum = rte_raw_cksum(h, sizeof(*h));
	} else {
		struct rte_ipv6_hdr *h = (void *)k->tpl;

		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->proto = sa->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;
		h->hop_limits = 64;
		memcpy(h->src_addr, sa->local.v6, 16);
		memcpy(h->dst_addr, sa->peer.v6, 16);
	}
	e = k->tpl + (sa->local.family == AF_INET ?
		sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr));
	if (sa->udp_encap) {
		struct rte_udp_hdr *u = (void *)e;

		u->src_port = rte_cpu_to_be_16(sa->encap_local_port);
		u->dst_port = rte_cpu_to_be_16(sa->encap_peer_port);
		e += sizeof(*u);
	}
	memcpy(e, &k->spi, sizeof(k->spi));
}

void *
ss_esp_mb_state_make(const struct ss_sa *sa, const uint8_t *key,
	uint8_t klen, char *err, size_t len)
{
	struct mb_sa *k;
	uint8_t ek, ivkey[16];
	unsigned int i;

	pthread_once(&ctl_once, ctl_mgr_init);
	if (ctl_mgr == NULL) {
		snprintf(err, len, "intel-ipsec-mb manager unavailable");
		rte_errno = ENOTSUP;
		return NULL;
	}
	if (klen != ss_sa_algo_key_len(sa->algo)) {
		snprintf(err, len, "ipsec-mb: %u key bytes for %s", klen,
			ss_sa_algo_name(sa->algo));
		rte_errno = EINVAL;
		return NULL;
	}
	k = rte_zmalloc("ss_esp_mb_sa", sizeof(*k), RTE_CACHE_LINE_SIZE);
	if (k == NULL) {
		snprintf(err, len, "no memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	k->spi = rte_cpu_to_be_32(sa->spi);
	switch (sa->algo) {
	case SS_SA_ALGO_AES_GCM_128:
	case SS_SA_ALGO_AES_GCM_256:
		ek = klen - 4;
		k->kind = ek == 16 ? MB_GCM128 : MB_GCM256;
		/* The function for this CPU, as every manager picks it. */
		if (ek == 16) {
			IMB_AES128_GCM_PRE(ctl_mgr, key, &k->gk);
			k->gcm = sa->dir == SS_SA_DIR_OUT ?
				ctl_mgr->gcm128_enc : ctl_mgr->gcm128_dec;
		} else {
			IMB_AES256_GCM_PRE(ctl_mgr, key, &k->gk);
			k->gcm = sa->dir == SS_SA_DIR_OUT ?
				ctl_mgr->gcm256_enc : ctl_mgr->gcm256_dec;
		}
		memcpy(k->salt, key + ek, 4);
		break;
	case SS_SA_ALGO_AES_CBC_128_HMAC_SHA256:
	case SS_SA_ALGO_AES_CBC_256_HMAC_SHA256:
		ek = klen - 32;
		k->kind = MB_CBC;
		k->ckey = ek;
		if (ek == 16)
			IMB_AES_KEYEXP_128(ctl_mgr, key, k->ek, k->dk);
		else
			IMB_AES_KEYEXP_256(ctl_mgr, key, k->ek, k->dk);
		hmac_pads(ctl_mgr, key + ek, k->ipad, k->opad);
		for (i = 0; i < sizeof(ivkey); i += 8) {
			uint64_t r = rte_rand();

			memcpy(ivkey + i, &r, 8);
		}
		/* Only the encrypt schedule of the IV key is used. */
		{
			uint8_t scratch[16 * 11] __rte_aligned(16);

			IMB_AES_KEYEXP_128(ctl_mgr, ivkey, k->ivk, scratch);
			explicit_bzero(scratch, sizeof(scratch));
		}
		explicit_bzero(ivkey, sizeof(ivkey));
		k->ivc = rte_rand();
		break;
	case SS_SA_ALGO_NULL_HMAC_SHA256:
		k->kind = MB_NULL;
		hmac_pads(ctl_mgr, key, k->ipad, k->opad);
		break;
	default:
		rte_free(k);
		snprintf(err, len, "ipsec-mb: algorithm %u not supported",
			sa->algo);
		rte_errno = ENOTSUP;
		return NULL;
	}
	if (sa->mode == SS_SA_MODE_TUNNEL)
		tpl_make(k, sa);
	return k;
}

void
ss_esp_mb_state_free(void *state)
{
	struct mb_sa *k = state;

	if (k == NULL)
		return;
	explicit_bzero(k, sizeof(*k));
	rte_free(k);
}

static int
mb_session_create(struct ss_esp_sa *esa, const struct ss_sa *sa,
	struct rte_crypto_sym_xform *xf, char *err, size_t len)
{
	const uint8_t *key;
	uint8_t klen;
	struct mb_sa *k;

	RTE_SET_USED(xf);
	key = ss_sa_key(sa, &klen);
	k = ss_esp_mb_state_make(sa, key, klen, err, len);
	if (k == NULL)
		return -rte_errno;
	esa->be_priv = k;
	esa->cs = k;		/* "has a session" for the common code */
	return 0;
}

static void
mb_session_destroy(struct ss_esp_sa *esa)
{
	ss_esp_mb_state_free(esa->be_priv);
	esa->be_priv = NULL;
	esa->cs = NULL;
}

int
ss_esp_mb_test_set_seq(struct ss_sa *sa, uint64_t sqn)
{
	struct ss_esp_sa *esa = sa->dp;

	if (esa == NULL || !esa->be->own_esp || sa->dir != SS_SA_DIR_OUT)
		return -EINVAL;
	((struct mb_sa *)esa->be_priv)->sqn = sqn;
	sa->st.seq = sqn;
	return 0;
}

int
ss_esp_mb_test_cbc_iv(struct ss_sa *sa, bool lib, uint64_t ivc)
{
	struct ss_esp_sa *esa = sa->dp;

	if (esa == NULL || !esa->be->own_esp || sa->dir != SS_SA_DIR_OUT)
		return -EINVAL;
	((struct mb_sa *)esa->be_priv)->ivc = ivc;
	pthread_once(&ctl_once, ctl_mgr_init);
	iv_aesni = !lib && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AES) > 0;
	return 0;
}

const struct ss_crypto_backend ss_esp_mb_backend = {
	.name = "ipsec-mb",
	.session_create = mb_session_create,
	.session_destroy = mb_session_destroy,
	.process = NULL,
	.own_esp = true,
};

/* ---- packets -------------------------------------------------------- */

static const uint8_t pad_bytes[16] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static inline bool
tag_differs(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	/* No early exit: the time must not tell where they differ. */
	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) != 0;
}

/* RFC 4106 4, 5: nonce salt (put in by the caller, once per burst) and
 * IV; AAD the SPI, then the 64-bit ESN or the 32-bit number. */
static inline void
gcm_nonce_aad(const uint8_t *esp, uint32_t sqh, bool esn, uint8_t nonce[12],
	uint8_t aad[12])
{
	const rte_be32_t hi = esp_be32(sqh);

	memcpy(nonce + 4, esp + 8, 8);
	memcpy(aad, esp, 4);
	if (esn) {
		memcpy(aad + 4, &hi, 4);
		memcpy(aad + 8, esp + 4, 4);
	} else {
		memcpy(aad + 4, esp + 4, 4);
	}
}

static inline void
hmac_job(IMB_JOB *job, const struct mb_sa *k, uint8_t *esp, uint32_t ivl,
	uint32_t pl, bool esn, uint8_t *tag, bool enc, uint16_t i)
{
	job->src = esp;
	job->dst = esp + 8 + ivl;
	job->cipher_start_src_offset_in_bytes = 8 + ivl;
	job->msg_len_to_cipher_in_bytes = pl;
	job->hash_start_src_offset_in_bytes = 0;
	/* RFC 4303 2.2.1: the ESN high half is hashed after the payload. */
	job->msg_len_to_hash_in_bytes = 8 + ivl + pl + (esn ? 4 : 0);
	job->auth_tag_output = tag;
	job->auth_tag_output_len_in_bytes = 16;
	job->u.HMAC._hashed_auth_key_xor_ipad = k->ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = k->opad;
	job->hash_alg = IMB_AUTH_HMAC_SHA_256;
	if (k->kind == MB_CBC) {
		job->cipher_mode = IMB_CIPHER_CBC;
		job->enc_keys = k->ek;
		job->dec_keys = k->dk;
		job->key_len_in_bytes = k->ckey;
		job->iv = esp + 8;
		job->iv_len_in_bytes = 16;
	} else {
		job->cipher_mode = IMB_CIPHER_NULL;
		job->key_len_in_bytes = 0;
		job->iv = esp + 8;
		job->iv_len_in_bytes = 0;
	}
	job->cipher_direction = enc ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = enc ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->user_data = (void *)(uintptr_t)i;
}

static inline void
job_done(const IMB_JOB *job, int32_t st[])
{
	const uint16_t i = (uint16_t)(uintptr_t)job->user_data;

	st[i] = job->status == IMB_STATUS_COMPLETED ? 0 : -EIO;
}

/* Submit: the manager hands back the jobs it finished, oldest first. */
static inline void
job_submit(IMB_MGR *mgr, int32_t st[])
{
	const IMB_JOB *job = IMB_SUBMIT_JOB(mgr);

	while (job != NULL) {
		job_done(job, st);
		job = IMB_GET_COMPLETED_JOB(mgr);
	}
}

static inline void
job_flush(IMB_MGR *mgr, int32_t st[])
{
	const IMB_JOB *job;

	while ((job = IMB_FLUSH_JOB(mgr)) != NULL)
		job_done(job, st);
}

/* Outer IPv4 header checksum from the template's sum and the fields
 * that change (length and ID, as stored). */
static inline uint16_t
tpl_cksum(uint32_t sum, uint32_t add)
{
	sum += add;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The template of a tunnel-mode SA (outer IP, UDP, SPI) at d: sizes
 * known at compile time, so a few wide moves instead of a copy loop. */
static inline void
tpl_put(uint8_t *d, const struct mb_sa *k, bool v4, bool udp)
{
	if (v4) {
		if (udp)
			memcpy(d, k->tpl, 20 + 8 + 4);
		else
			memcpy(d, k->tpl, 20 + 4);
	} else {
		if (udp)
			memcpy(d, k->tpl, 40 + 8 + 4);
		else
			memcpy(d, k->tpl, 40 + 4);
	}
}

/*
 * The CBC IVs of packets whose counter and sequence number follow c and
 * sqn: IV = AES-128(ivk, counter || sequence number), what one
 * IMB_AES128_CFB_ONE of 16 zero bytes gives, but the blocks of a burst
 * go through the rounds together instead of one library call each
 * (~200 instructions a call, for ten rounds).
 */
static __attribute__((target("aes"))) void
iv_burst(const uint8_t *ivk, uint64_t c, uint64_t sqn, uint16_t n,
	uint8_t (*iv)[16])
{
	__m128i rk[11];
	unsigned int r;
	uint16_t i;

	for (r = 0; r < 11; r++)
		rk[r] = _mm_load_si128((const __m128i *)(ivk + 16 * r));
	for (i = 0; i < n; i++) {
		__m128i b = _mm_set_epi64x((long long)(sqn + 1 + i),
			(long long)(c + 1 + i));

		b = _mm_xor_si128(b, rk[0]);
		for (r = 1; r < 10; r++)
			b = _mm_aesenc_si128(b, rk[r]);
		b = _mm_aesenclast_si128(b, rk[10]);
		_mm_storeu_si128((__m128i *)iv[i], b);
	}
	/* no copy of the SA's IV key schedule left on the stack */
	explicit_bzero(rk, sizeof(rk));
}

/* The burst loop of ss_esp_mb_outb for the SA's mode, family,
 * encapsulation, algorithm and ESN, given as constants where the caller
 * knows them, so that each of the usual combinations gets a loop
 * without those tests (and GCM's IV, ICV and alignment as constants). */
static __rte_always_inline uint16_t
outb_loop(IMB_MGR *mgr, const struct ss_sa *sa, struct ss_esp_sa *esa,
	struct rte_mbuf *m[], uint16_t n, int32_t st[], uint64_t *seq,
	const bool tun, const bool v4, const bool udp_on, const bool gcm,
	const bool esn)
{
	struct mb_sa *k = esa->be_priv;
	uint8_t tag[SS_ESP_BURST][16];
	uint8_t *icv[SS_ESP_BURST];
	const uint32_t udp = udp_on ? sizeof(struct rte_udp_hdr) : 0;
	const uint32_t ivl = gcm ? 8 : esa->iv_len, icvl = 16;
	const uint64_t smax = esn ? UINT64_MAX : UINT32_MAX;
	const uint64_t ptype = (v4 ? RTE_PTYPE_L3_IPV4 : RTE_PTYPE_L3_IPV6) |
		(udp != 0 ? RTE_PTYPE_L4_UDP : 0);
	/* Locals, not loads: every byte store below may alias the SA. */
	const uint32_t align = gcm ? 4 : esa->pad_align;
	const uint32_t ohl_tun = v4 ? sizeof(struct rte_ipv4_hdr) :
		sizeof(struct rte_ipv6_hdr);
	/* What goes in front of the payload: the outer IP header in
	 * tunnel mode (transport mode moves the packet's own), UDP, ESP
	 * header and IV. */
	const uint32_t head = (tun ? ohl_tun : 0) + udp + 8 + ivl;
	const uint32_t tpl_sum = k->tpl_sum;
	const rte_be32_t spi = k->spi;
	const rte_be16_t sport = esp_be16(sa->encap_local_port);
	const rte_be16_t dport = esp_be16(sa->encap_peer_port);
	const uint8_t inner = esa->inner_proto;
	const uint8_t oproto = udp != 0 ? IPPROTO_UDP : IPPROTO_ESP;
	const aes_gcm_enc_dec_t gcm_fn = k->gcm;
	const struct gcm_key_data *gk = &k->gk;
	uint64_t sqn = k->sqn;
	bool jobs = false;
	uint16_t i, nbad = 0;
	/* The salt and the SPI, the same for the burst, go in once: the
	 * GCM functions take nonce and AAD as const. */
	uint8_t nonce[12], aad[12];
	/* CBC: the IVs of the packets the sequence space still takes */
	uint8_t ivs[gcm || ivl == 0 ? 1 : SS_ESP_BURST][16];
	const bool ivb = !gcm && ivl != 0 && iv_aesni;
	const uint16_t nsq = (uint16_t)RTE_MIN((uint64_t)n, smax - sqn);

	memcpy(nonce, k->salt, 4);
	memcpy(aad, &spi, 4);
	if (ivb) {
		iv_burst(k->ivk, k->ivc, sqn, nsq, ivs);
		k->ivc += nsq;
	}
	if (n != 0)
		esp_prefetch_data(m[0]);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *p = m[i];
		struct gcm_context_data ctx;
		uint32_t hl = p->l3_len, plen, pl, padl, ohl, tot, grow;
		uint8_t *d = rte_pktmbuf_mtod(p, uint8_t *), *esp, *tail;
		uint8_t nh;
		rte_be32_t v32;
		uint64_t v64;

		if (i + 1 < n)
			esp_prefetch_data(m[i + 1]);
		if (unlikely(sqn >= smax)) {
			st[i] = -EOVERFLOW;
			nbad++;
			continue;
		}
		sqn++;
		tail = d + rte_pktmbuf_data_len(p);
		if (tun) {
			plen = rte_pktmbuf_pkt_len(p);
			nh = inner;
		} else {
			plen = rte_pktmbuf_pkt_len(p) - hl;
			nh = v4 ? d[9] : d[6];
		}
		pl = RTE_ALIGN_CEIL(plen + 2, align);
		padl = pl - plen - 2;
		/* One segment with the room checked by the caller: the
		 * mbuf grows by arithmetic, without the checks and the walk
		 * to the last segment of rte_pktmbuf_prepend/append. */
		grow = head + pl - plen + icvl;
		p->data_off = (uint16_t)(p->data_off - head);
		p->data_len = (uint16_t)(p->data_len + grow);
		p->pkt_len += grow;
		/* Whole 16 bytes (the tail just added is at least 18):
		 * one store instead of a copy of variable length. */
		memcpy(tail, pad_bytes, sizeof(pad_bytes));
		tail[padl] = (uint8_t)padl;
		tail[padl + 1] = nh;
		tot = rte_pktmbuf_pkt_len(p);
		if (tun) {
			d -= head;
			ohl = ohl_tun;
			tpl_put(d, k, v4, udp != 0);
		} else {
			uint8_t *nd = d - head;

			ohl = hl;
			memmove(nd, d, hl);
			d = nd;
			if (udp != 0) {
				struct rte_udp_hdr *u = (void *)(d + ohl);

				u->src_port = sport;
				u->dst_port = dport;
				u->dgram_cksum = 0;
			}
			memcpy(d + ohl + udp, &spi, 4);
		}
		if (v4) {
			struct rte_ipv4_hdr *h = (void *)d;

			h->total_length = esp_be16((uint16_t)tot);
			if (tun) {
				/* As rte_ipsec: the ID is the low half of
				 * the sequence number. */
				h->packet_id = esp_be16((uint16_t)sqn);
				h->hdr_checksum = tpl_cksum(tpl_sum,
					(uint32_t)h->total_length +
					h->packet_id);
			} else {
				h->next_proto_id = oproto;
				h->hdr_checksum = 0;
				h->hdr_checksum = rte_ipv4_cksum(h);
			}
		} else {
			struct rte_ipv6_hdr *h = (void *)d;

			h->payload_len = esp_be16((uint16_t)(tot -
				sizeof(*h)));
			if (!tun)
				h->proto = oproto;
		}
		if (udp != 0) {
			struct rte_udp_hdr *u = (void *)(d + ohl);

			u->dgram_len = esp_be16((uint16_t)(tot - ohl));
		}
		esp = d + ohl + udp;
		v32 = esp_be32((uint32_t)sqn);
		memcpy(esp + 4, &v32, 4);
		icv[i] = esp + 8 + ivl + pl;
		p->l2_len = 0;
		p->l3_len = ohl;
		p->packet_type = ptype;
		p->ol_flags &= ~(RTE_MBUF_F_TX_SEC_OFFLOAD |
			RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK);
		if (gcm) {
			/* Nonce and AAD from registers (RFC 4106 4, 5): salt
			 * and IV; SPI, then the 64-bit ESN or the 32-bit
			 * number. */
			v64 = esp_be64(sqn);
			memcpy(esp + 8, &v64, 8);
			memcpy(nonce + 4, &v64, 8);
			if (esn)
				memcpy(aad + 4, &v64, 8);
			else
				memcpy(aad + 4, &v32, 4);
			gcm_fn(gk, &ctx, esp + 16, esp + 16, pl, nonce,
				aad, esn ? 12 : 8, icv[i], 16);
			st[i] = 0;
			continue;
		}
		if (ivb) {
			/* packets [0, nsq) are those that get here */
			memcpy(esp + 8, ivs[i], 16);
		} else if (ivl != 0) {
			uint8_t ctr[16], zero[16];

			/* IV = AES(ivk, counter): never repeats, not
			 * predictable without the per-SA key. */
			memset(zero, 0, sizeof(zero));
			v64 = ++k->ivc;
			memcpy(ctr, &v64, 8);
			memcpy(ctr + 8, &sqn, 8);
			IMB_AES128_CFB_ONE(mgr, esp + 8, zero, ctr, k->ivk, 16);
		}
		if (esn) {
			v32 = esp_be32((uint32_t)(sqn >> 32));
			memcpy(icv[i], &v32, 4);
		}
		hmac_job(IMB_GET_NEXT_JOB(mgr), k, esp, ivl, pl, esn,
			tag[i], true, i);
		st[i] = -EIO;
		jobs = true;
		job_submit(mgr, st);
	}
	k->sqn = sqn;
	*seq = sqn;
	if (jobs) {
		job_flush(mgr, st);
		for (i = 0, nbad = 0; i < n; i++) {
			if (st[i] == 0)
				memcpy(icv[i], tag[i], 16);
			else
				nbad++;
		}
	}
	if (udp != 0 && !v4) {
		/* IPv6 forbids a zero UDP checksum here (RFC 8200); it
		 * covers the ciphertext, so it comes last. */
		for (i = 0; i < n; i++) {
			struct rte_ipv6_hdr *h;
			struct rte_udp_hdr *u;

			if (st[i] != 0)
				continue;
			h = rte_pktmbuf_mtod(m[i], struct rte_ipv6_hdr *);
			u = (struct rte_udp_hdr *)((uint8_t *)h +
				m[i]->l3_len);
			u->dgram_cksum = rte_ipv6_udptcp_cksum(h, u);
		}
	}
	return nbad;
}

/* One case of ss_esp_mb_outb's switch: tunnel mode, bit 0 IPv4 outer,
 * bit 1 UDP, bit 2 ESN, bit 3 GCM. */
#define OUTB_TUN(x) \
	case x: \
		return outb_loop(mgr, sa, esa, m, n, st, seq, true, \
			((x) & 1) != 0, ((x) & 2) != 0, ((x) & 8) != 0, \
			((x) & 4) != 0)

uint16_t
ss_esp_mb_outb(void *mgr_, const struct ss_sa *sa, struct ss_esp_sa *esa,
	struct rte_mbuf *m[], uint16_t n, int32_t st[], uint64_t *seq)
{
	IMB_MGR *mgr = mgr_;
	const struct mb_sa *k = esa->be_priv;
	const bool v4 = sa->local.family == AF_INET;
	const bool gcm = k->kind <= MB_GCM256;

	if (sa->mode == SS_SA_MODE_TUNNEL) {
		switch ((v4 ? 1 : 0) | (sa->udp_encap ? 2 : 0) |
				(sa->esn ? 4 : 0) | (gcm ? 8 : 0)) {
		OUTB_TUN(0);
		OUTB_TUN(1);
		OUTB_TUN(2);
		OUTB_TUN(3);
		OUTB_TUN(4);
		OUTB_TUN(5);
		OUTB_TUN(6);
		OUTB_TUN(7);
		OUTB_TUN(8);
		OUTB_TUN(9);
		OUTB_TUN(10);
		OUTB_TUN(11);
		OUTB_TUN(12);
		OUTB_TUN(13);
		OUTB_TUN(14);
		OUTB_TUN(15);
		}
	}
	return outb_loop(mgr, sa, esa, m, n, st, seq,
		sa->mode == SS_SA_MODE_TUNNEL, v4, sa->udp_encap, gcm,
		sa->esn);
}

/* The burst loop of ss_esp_mb_inb, with the algorithm and ESN as
 * constants where the caller knows them (as outb_loop). */
static __rte_always_inline uint16_t
inb_loop(IMB_MGR *mgr, struct ss_esp_sa *esa, struct rte_mbuf *m[],
	const uint64_t sq[], uint16_t n, int32_t st[], const bool gcm,
	const bool esn)
{
	const struct mb_sa *k = esa->be_priv;
	uint8_t tag[SS_ESP_BURST][16], rcv[SS_ESP_BURST][16];
	const uint32_t ivl = gcm ? 8 : esa->iv_len, icvl = 16;
	const aes_gcm_enc_dec_t gcm_fn = k->gcm;
	uint16_t i, nbad = 0;
	/* the GCM functions take nonce and AAD as const: the salt goes in
	 * once */
	uint8_t nonce[12], aad[12];

	memcpy(nonce, k->salt, 4);
	if (n != 0)
		esp_prefetch_data(m[0]);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *p = m[i];
		struct gcm_context_data ctx;
		const uint32_t l3 = p->l3_len;
		uint8_t *esp = rte_pktmbuf_mtod_offset(p, uint8_t *, l3);
		const uint32_t pl = rte_pktmbuf_pkt_len(p) - l3 - 8 - ivl -
			icvl;
		uint8_t *icv = esp + 8 + ivl + pl;
		const uint32_t sqh = (uint32_t)(sq[i] >> 32);

		if (i + 1 < n)
			esp_prefetch_data(m[i + 1]);
		if (gcm) {
			/* compared at once: one tag buffer for the burst */
			uint8_t *gt = tag[0];

			gcm_nonce_aad(esp, sqh, esn, nonce, aad);
			gcm_fn(&k->gk, &ctx, esp + 16, esp + 16, pl, nonce,
				aad, esn ? 12 : 8, gt, 16);
			/* st[] is read only when some packet failed: the
			 * first failure clears it for the whole burst, and
			 * a pass stores nothing. */
			if (unlikely(tag_differs(gt, icv))) {
				if (nbad++ == 0)
					memset(st, 0, n * sizeof(st[0]));
				st[i] = -EBADMSG;
			}
			continue;
		}
		memcpy(rcv[i], icv, 16);
		if (esn) {
			const rte_be32_t hi = esp_be32(sqh);

			memcpy(icv, &hi, 4);
		}
		hmac_job(IMB_GET_NEXT_JOB(mgr), k, esp, ivl, pl, esn,
			tag[i], false, i);
		st[i] = -EIO;
		job_submit(mgr, st);
	}
	if (gcm)
		return nbad;
	job_flush(mgr, st);
	for (i = 0; i < n; i++) {
		if (st[i] == 0 && tag_differs(tag[i], rcv[i]))
			st[i] = -EBADMSG;
		nbad += st[i] != 0;
	}
	return nbad;
}

uint16_t
ss_esp_mb_inb(void *mgr_, const struct ss_sa *sa, struct ss_esp_sa *esa,
	struct rte_mbuf *m[], const uint64_t sq[], uint16_t n, int32_t st[])
{
	IMB_MGR *mgr = mgr_;
	const struct mb_sa *k = esa->be_priv;

	if (k->kind <= MB_GCM256)
		return sa->esn ? inb_loop(mgr, esa, m, sq, n, st, true, true) :
			inb_loop(mgr, esa, m, sq, n, st, true, false);
	return sa->esn ? inb_loop(mgr, esa, m, sq, n, st, false, true) :
		inb_loop(mgr, esa, m, sq, n, st, false, false);
}
