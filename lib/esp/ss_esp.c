/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_ipsec.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_udp.h>

#include "ss_esp_priv.h"
#include "ss_esp_mb.h"

RTE_LOG_REGISTER(ss_esp_logtype, shardsec.esp, INFO);


uint16_t
ss_esp_server_qp(const struct ss_esp_server *srv)
{
	return srv->qp;
}

/* ---- SA data-plane state -------------------------------------------- */

static bool
algo_is_gcm(uint8_t algo)
{
	return algo == SS_SA_ALGO_AES_GCM_128 || algo == SS_SA_ALGO_AES_GCM_256;
}

static uint32_t
mask4(const struct ss_prefix *p)
{
	return p->addr.family == 0 || p->len == 0 ? 0 :
		~UINT32_C(0) << (32 - p->len);
}

/* Selectors that can admit an IPv4 packet (no IPv6 prefix), flattened. */
static void
ts4_make(struct ss_esp_sa *esa, const struct ss_sa *sa)
{
	unsigned int i;

	esa->nb_ts4 = 0;
	esa->ts4_ports = false;
	for (i = 0; i < sa->nb_ts; i++) {
		const struct ss_sa_ts *t = &sa->ts[i];
		struct ss_esp_ts4 *f = &esa->ts4[esa->nb_ts4];

		/* No IPv4 packet matches these (nor, lo > hi, any). */
		if (t->src.addr.family == AF_INET6 ||
				t->dst.addr.family == AF_INET6 ||
				t->sport_lo > t->sport_hi ||
				t->dport_lo > t->dport_hi)
			continue;
		f->smask = mask4(&t->src);
		f->dmask = mask4(&t->dst);
		f->src = rte_be_to_cpu_32(t->src.addr.v4) & f->smask;
		f->dst = rte_be_to_cpu_32(t->dst.addr.v4) & f->dmask;
		f->proto = t->proto;
		f->pmask = t->proto != 0 ? 0xff : 0;
		f->sport_lo = t->sport_lo;
		f->sport_span = t->sport_hi - t->sport_lo;
		f->dport_lo = t->dport_lo;
		f->dport_span = t->dport_hi - t->dport_lo;
		esa->ts4_ports |= f->sport_span != UINT16_MAX ||
			f->dport_span != UINT16_MAX;
		esa->nb_ts4++;
	}
}

static int
esp_sa_create(void *arg, struct ss_sa *sa, const struct ss_sa_params *p,
	char *err, size_t len)
{
	struct rte_crypto_sym_xform xf[2];
	struct rte_ipsec_sa_prm prm;
	union {
		struct rte_ipv4_hdr v4;
		struct rte_ipv6_hdr v6;
	} hdr;
	const struct ss_crypto_backend *be;
	struct ss_esp_sa *esa;
	const uint8_t *key;
	uint8_t klen, ek;
	int sz, rc;
	const bool out = sa->dir == SS_SA_DIR_OUT;

	RTE_SET_USED(arg);
	RTE_SET_USED(p);
	be = ss_crypto_backend_get((enum ss_sa_backend)sa->backend);
	if (be == NULL) {
		snprintf(err, len, "no crypto back-end %u", sa->backend);
		return -ENOTSUP;
	}
	key = ss_sa_key(sa, &klen);
	memset(xf, 0, sizeof(xf));
	memset(&prm, 0, sizeof(prm));
	memset(&hdr, 0, sizeof(hdr));
	esa = rte_zmalloc("ss_esp_sa", sizeof(*esa), RTE_CACHE_LINE_SIZE);
	if (esa == NULL) {
		snprintf(err, len, "no memory");
		return -ENOMEM;
	}
	esa->be = be;
	esa->icv_len = 16;
	esa->rp.w = sa->replay_window;
	esa->inner_proto = sa->inner_family == AF_INET ? IPPROTO_IPIP :
		IPPROTO_IPV6;
	ts4_make(esa, sa);
	if (be->own_esp) {
		esa->aead = algo_is_gcm(sa->algo);
		ek = esa->aead ? klen - 4 : klen - 32;
		esa->iv_len = esa->aead ? 8 : (ek ? 16 : 0);
		esa->pad_align = esa->aead || ek == 0 ? 4 : 16;
		if (sa->mode == SS_SA_MODE_TUNNEL)
			esa->outer_hl = sa->local.family == AF_INET ?
				sizeof(struct rte_ipv4_hdr) :
				sizeof(struct rte_ipv6_hdr);
		rc = be->session_create(esa, sa, NULL, err, len);
		if (rc != 0) {
			rte_free(esa);
			return rc;
		}
		sa->dp = esa;
		return 0;
	}
	if (algo_is_gcm(sa->algo)) {
		ek = klen - 4;
		esa->aead = true;
		esa->iv_len = 8;
		esa->pad_align = 4;
		xf[0].type = RTE_CRYPTO_SYM_XFORM_AEAD;
		xf[0].aead.op = out ? RTE_CRYPTO_AEAD_OP_ENCRYPT :
			RTE_CRYPTO_AEAD_OP_DECRYPT;
		xf[0].aead.algo = RTE_CRYPTO_AEAD_AES_GCM;
		xf[0].aead.key.data = key;
		xf[0].aead.key.length = ek;
		xf[0].aead.iv.offset = SS_ESP_IV_OFS;
		xf[0].aead.iv.length = 12;
		xf[0].aead.digest_length = 16;
		xf[0].aead.aad_length = sa->esn ? 12 : 8;
		memcpy(&prm.ipsec_xform.salt, key + ek, 4);
	} else {
		struct rte_crypto_sym_xform *c, *a;

		ek = klen - 32;
		esa->iv_len = ek ? 16 : 0;
		esa->pad_align = ek ? 16 : 4;
		/* rte_ipsec wants encrypt-then-MAC out, verify-then-decrypt
		 * in. */
		c = out ? &xf[0] : &xf[1];
		a = out ? &xf[1] : &xf[0];
		if (out)
			c->next = a;
		else
			a->next = c;
		c->type = RTE_CRYPTO_SYM_XFORM_CIPHER;
		c->cipher.op = out ? RTE_CRYPTO_CIPHER_OP_ENCRYPT :
			RTE_CRYPTO_CIPHER_OP_DECRYPT;
		c->cipher.algo = ek ? RTE_CRYPTO_CIPHER_AES_CBC :
			RTE_CRYPTO_CIPHER_NULL;
		c->cipher.key.data = ek ? key : NULL;
		c->cipher.key.length = ek;
		c->cipher.iv.offset = SS_ESP_IV_OFS;
		c->cipher.iv.length = esa->iv_len;
		a->type = RTE_CRYPTO_SYM_XFORM_AUTH;
		a->auth.op = out ? RTE_CRYPTO_AUTH_OP_GENERATE :
			RTE_CRYPTO_AUTH_OP_VERIFY;
		a->auth.algo = RTE_CRYPTO_AUTH_SHA256_HMAC;
		a->auth.key.data = key + ek;
		a->auth.key.length = 32;
		a->auth.digest_length = 16;
	}

	prm.ipsec_xform.spi = sa->spi;
	prm.ipsec_xform.options.esn = sa->esn;
	prm.ipsec_xform.direction = out ? RTE_SECURITY_IPSEC_SA_DIR_EGRESS :
		RTE_SECURITY_IPSEC_SA_DIR_INGRESS;
	prm.ipsec_xform.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
	prm.ipsec_xform.replay_win_sz = sa->replay_window;
	prm.crypto_xform = &xf[0];
	if (sa->mode == SS_SA_MODE_TUNNEL) {
		prm.ipsec_xform.mode = RTE_SECURITY_IPSEC_SA_MODE_TUNNEL;
		prm.tun.next_proto = esa->inner_proto;
		prm.tun.hdr_l3_off = 0;
		prm.tun.hdr = &hdr;
		if (sa->local.family == AF_INET) {
			prm.ipsec_xform.tunnel.type =
				RTE_SECURITY_IPSEC_TUNNEL_IPV4;
			hdr.v4.version_ihl = 0x45;
			hdr.v4.time_to_live = 64;
			hdr.v4.next_proto_id = IPPROTO_ESP;
			hdr.v4.src_addr = sa->local.v4;
			hdr.v4.dst_addr = sa->peer.v4;
			prm.tun.hdr_len = sizeof(hdr.v4);
		} else {
			prm.ipsec_xform.tunnel.type =
				RTE_SECURITY_IPSEC_TUNNEL_IPV6;
			hdr.v6.vtc_flow = rte_cpu_to_be_32(6u << 28);
			hdr.v6.proto = IPPROTO_ESP;
			hdr.v6.hop_limits = 64;
			memcpy(hdr.v6.src_addr, sa->local.v6, 16);
			memcpy(hdr.v6.dst_addr, sa->peer.v6, 16);
			prm.tun.hdr_len = sizeof(hdr.v6);
		}
		esa->outer_hl = prm.tun.hdr_len;
	} else {
		prm.ipsec_xform.mode = RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT;
		/* rte_ipsec reads the IP version of the SA from here. */
		prm.trs.proto = sa->local.family == AF_INET ? IPPROTO_IPIP :
			IPPROTO_IPV6;
	}

	sz = rte_ipsec_sa_size(&prm);
	if (sz < 0) {
		snprintf(err, len, "rte_ipsec refuses the SA parameters (%s)",
			strerror(-sz));
		rc = sz;
		goto fail;
	}
	esa->isa = rte_zmalloc("ss_esp_isa", sz, RTE_CACHE_LINE_SIZE);
	esa->isa_size = (uint32_t)sz;
	if (esa->isa == NULL) {
		snprintf(err, len, "no memory");
		rc = -ENOMEM;
		goto fail;
	}
	rc = be->session_create(esa, sa, &xf[0], err, len);
	if (rc != 0)
		goto fail;
	rc = rte_ipsec_sa_init(esa->isa, &prm, sz);
	if (rc < 0) {
		snprintf(err, len, "rte_ipsec_sa_init: %s", strerror(-rc));
		goto fail;
	}
	esa->ss.sa = esa->isa;
	if (be->inline_crypto) {
		/* session_create filled ss.security */
		esa->ss.type = RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO;
	} else {
		esa->ss.type = RTE_SECURITY_ACTION_TYPE_NONE;
		esa->ss.crypto.ses = esa->cs;
		esa->ss.crypto.dev_id = esa->dev_id;
	}
	rc = rte_ipsec_session_prepare(&esa->ss);
	if (rc != 0) {
		snprintf(err, len, "rte_ipsec_session_prepare: %s",
			strerror(-rc));
		goto fail;
	}
	explicit_bzero(&prm, sizeof(prm));
	explicit_bzero(xf, sizeof(xf));
	sa->dp = esa;
	return 0;
fail:
	explicit_bzero(&prm, sizeof(prm));
	explicit_bzero(xf, sizeof(xf));
	if (esa->cs != NULL)
		be->session_destroy(esa);
	if (esa->isa != NULL) {
		rte_ipsec_sa_fini(esa->isa);
		rte_free(esa->isa);
	}
	rte_free(esa);
	return rc;
}

static void
esp_sa_destroy(void *arg, struct ss_sa *sa)
{
	struct ss_esp_sa *esa = sa->dp;

	RTE_SET_USED(arg);
	if (esa == NULL)
		return;
	esa->be->session_destroy(esa);
	if (esa->isa != NULL) {
		rte_ipsec_sa_fini(esa->isa);
		/* The SA object holds the GCM salt. */
		explicit_bzero(esa->isa, esa->isa_size);
		rte_free(esa->isa);
	}
	rte_free(esa);
	sa->dp = NULL;
}

static const struct ss_sa_dp_ops esp_dp_ops = {
	.create = esp_sa_create,
	.destroy = esp_sa_destroy,
};

int
ss_esp_attach(struct ss_sa_db *db)
{
	return ss_sa_db_set_dp(db, &esp_dp_ops, NULL);
}

/* ---- servers -------------------------------------------------------- */

struct ss_esp_server *
ss_esp_server_create(struct ss_sa_db *db, uint16_t server, int socket)
{
	struct ss_esp_server *srv;
	unsigned int i;
	uint8_t bits;

	RTE_BUILD_BUG_ON(SS_ESP_PTYPE_IP4_CHECKED & RTE_PTYPE_ALL_MASK);
	if (db == NULL || server >= ss_sa_db_nb_servers(db)) {
		rte_errno = EINVAL;
		return NULL;
	}
	srv = rte_zmalloc_socket("ss_esp_srv", sizeof(*srv),
		RTE_CACHE_LINE_SIZE, socket);
	if (srv == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	srv->db = db;
	srv->idx = server;
	srv->qp = server;
	srv->out_tab = ss_sa_out_table(db, server);
	srv->max_tunnels = ss_sa_db_max_tunnels(db);
	srv->owner = ss_sa_db_owner_table(db, &bits);
	srv->id_shift = (uint8_t)(32 - bits);
	srv->mb = ss_esp_mb_mgr_create();
	if (srv->mb == NULL) {
		rte_free(srv);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < SS_ESP_BURST; i++) {
		struct rte_crypto_op *op = (void *)srv->opmem[i];

		__rte_crypto_op_reset(op, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
		op->phys_addr = rte_mem_virt2iova(op);
		op->mempool = NULL;
		srv->ops[i] = op;
	}
	return srv;
}

void
ss_esp_server_free(struct ss_esp_server *srv)
{
	if (srv == NULL)
		return;
	ss_esp_mb_mgr_free(srv->mb);
	rte_free(srv);
}

void
ss_esp_server_stats(const struct ss_esp_server *srv, struct ss_esp_stats *st)
{
	memcpy(st, &srv->st, sizeof(*st));
}

/* esp_hard_cut past its usual case: the packets are counted as the
 * callers count them (outbound the inner length, inbound the decrypted
 * packet's). */
uint16_t
ss_esp_hard_cut_slow(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *m[], uint16_t n, uint64_t *bytes, bool inb)
{
	const uint64_t hp = sa->hard_packets, hb = sa->hard_bytes;
	uint64_t b = sa->st.bytes;
	uint16_t k, i;

	for (k = 0; k < n; k++) {
		if ((hp != 0 && sa->st.packets + k >= hp) ||
				(hb != 0 && b >= hb))
			break;
		b += inb ? rte_pktmbuf_pkt_len(m[k]) : M_LEN(m[k]);
	}
	for (i = k; i < n; i++) {
		*bytes -= inb ? rte_pktmbuf_pkt_len(m[i]) : M_LEN(m[i]);
		esp_drop(srv, sa, m[i], SS_SA_DROP_EXPIRED);
	}
	if (k < n)
		sa->st.hard_expired = 1;
	return k;
}

/* Stable grouping of a chunk by SA: returns the number of groups, with
 * grp[g] the SA, cnt[g] its packets, and pk[] the packets by group;
 * ax[] (when not NULL) goes along with m[] into axo[]. */
unsigned int
ss_esp_group_by_sa(struct ss_sa *sas[], struct rte_mbuf *m[], unsigned int n,
	struct ss_sa *grp[], uint16_t cnt[], struct rte_mbuf *pk[],
	const uint64_t ax[], uint64_t axo[])
{
	uint8_t gi[SS_ESP_BURST];
	uint16_t start[SS_ESP_BURST];
	unsigned int i, g, ng = 0;

	/* Usual case: one SA for the whole chunk. */
	for (i = 1; i < n && sas[i] == sas[0]; i++)
		;
	if (i == n) {
		grp[0] = sas[0];
		cnt[0] = (uint16_t)n;
		memcpy(pk, m, n * sizeof(*m));
		if (ax != NULL)
			memcpy(axo, ax, n * sizeof(*ax));
		return 1;
	}
	for (i = 0; i < n; i++) {
		for (g = 0; g < ng && grp[g] != sas[i]; g++)
			;
		if (g == ng) {
			grp[ng] = sas[i];
			cnt[ng++] = 0;
		}
		gi[i] = (uint8_t)g;
		cnt[g]++;
	}
	for (g = 0, i = 0; g < ng; g++) {
		start[g] = (uint16_t)i;
		i += cnt[g];
	}
	for (i = 0; i < n; i++) {
		if (ax != NULL)
			axo[start[gi[i]]] = ax[i];
		pk[start[gi[i]]++] = m[i];
	}
	return ng;
}

bool
ss_esp_sa_paused(const struct ss_sa *sa)
{
	const struct ss_esp_sa *esa = sa->dp;

	return esa != NULL && __atomic_load_n(&esa->paused, __ATOMIC_ACQUIRE);
}

int
ss_esp_sa_nic_stats(const struct ss_sa *sa, struct ss_esp_nic_stats *st)
{
	const struct ss_esp_sa *esa = sa->dp;

	memset(st, 0, sizeof(*st));
	if (esa == NULL || esa->be == NULL || esa->be->session_stats == NULL)
		return -ENOTSUP;
	return esa->be->session_stats(sa, st);
}

uint64_t
ss_esp_sa_resume(struct ss_sa *sa, void *state)
{
	struct ss_esp_sa *esa = sa->dp;

	if (esa == NULL || !esa->paused)
		return 0;
	esa->be_priv = state;
	/* The state is complete before a worker can see paused == 0. */
	__atomic_store_n(&esa->paused, 0, __ATOMIC_RELEASE);
	return rte_get_timer_cycles() - esa->pause_tsc;
}
