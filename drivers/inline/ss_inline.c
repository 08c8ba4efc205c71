/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The inline back-end: one rte_security INLINE_CRYPTO session per SA on
 * the port's security context, checked against the context's
 * capabilities first so that a refusal says what the NIC lacks. All of
 * it runs on the control lcore; the data path only sees the rte_ipsec
 * session that lib/esp prepares with esa->ss.security. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_log.h>
#include <rte_mempool.h>
#include <rte_security.h>

#include "ss_crypto.h"
#include "ss_esp.h"
#include "ss_esp_mb.h"
#include "ss_inline.h"
#include "ss_sa.h"

RTE_LOG_REGISTER(ss_inline_logtype, shardsec.inline, INFO);
#define INL_LOG(l, ...) rte_log(RTE_LOG_ ## l, ss_inline_logtype, \
	"inline: " __VA_ARGS__)

static struct {
	struct rte_security_ctx *ctx;
	struct rte_mempool *pool;
	const struct ss_crypto_backend *prev;	/* the slot before init */
	uint16_t port_id;
	bool own_ctx;
	const uint16_t *queue;
	uint16_t nb_queue;
	struct ss_inline_stats st;
} inl;

static const char *
dir_name(const struct ss_sa *sa)
{
	return sa->dir == SS_SA_DIR_OUT ? "egress" : "ingress";
}

static const char *
mode_name(const struct ss_sa *sa)
{
	return sa->mode == SS_SA_MODE_TUNNEL ? "tunnel" : "transport";
}

/* The crypto capability of cap for one transform, or NULL. */
static const struct rte_cryptodev_symmetric_capability *
sym_cap_find(const struct rte_security_capability *cap,
	const struct rte_crypto_sym_xform *x)
{
	const struct rte_cryptodev_capabilities *c;

	for (c = cap->crypto_capabilities;
			c != NULL && c->op != RTE_CRYPTO_OP_TYPE_UNDEFINED; c++) {
		const struct rte_cryptodev_symmetric_capability *s = &c->sym;

		if (c->op != RTE_CRYPTO_OP_TYPE_SYMMETRIC ||
				s->xform_type != x->type)
			continue;
		if ((x->type == RTE_CRYPTO_SYM_XFORM_AEAD &&
				s->aead.algo == x->aead.algo) ||
				(x->type == RTE_CRYPTO_SYM_XFORM_CIPHER &&
				s->cipher.algo == x->cipher.algo) ||
				(x->type == RTE_CRYPTO_SYM_XFORM_AUTH &&
				s->auth.algo == x->auth.algo))
			return s;
	}
	return NULL;
}

/* Every transform of the chain within the capability's ranges. */
static int
xforms_supported(const struct rte_security_capability *cap,
	const struct rte_crypto_sym_xform *xf, char *err, size_t len)
{
	const struct rte_crypto_sym_xform *x;

	for (x = xf; x != NULL; x = x->next) {
		const struct rte_cryptodev_symmetric_capability *s =
			sym_cap_find(cap, x);
		const char *what;
		int rc = -1;

		what = x->type == RTE_CRYPTO_SYM_XFORM_AEAD ?
			rte_crypto_aead_algorithm_strings[x->aead.algo] :
			x->type == RTE_CRYPTO_SYM_XFORM_CIPHER ?
			rte_crypto_cipher_algorithm_strings[x->cipher.algo] :
			rte_crypto_auth_algorithm_strings[x->auth.algo];
		if (s != NULL && x->type == RTE_CRYPTO_SYM_XFORM_AEAD)
			rc = rte_cryptodev_sym_capability_check_aead(s,
				x->aead.key.length, x->aead.digest_length,
				x->aead.aad_length, x->aead.iv.length);
		else if (s != NULL && x->type == RTE_CRYPTO_SYM_XFORM_CIPHER)
			rc = rte_cryptodev_sym_capability_check_cipher(s,
				x->cipher.key.length, x->cipher.iv.length);
		else if (s != NULL)
			rc = rte_cryptodev_sym_capability_check_auth(s,
				x->auth.key.length, x->auth.digest_length, 0);
		if (s == NULL) {
			snprintf(err, len, "the NIC of port %u has no inline "
				"%s", inl.port_id, what);
			return -ENOTSUP;
		}
		if (rc != 0) {
			snprintf(err, len, "the NIC of port %u does not take "
				"%s with these sizes (key %u bytes)",
				inl.port_id, what,
				x->type == RTE_CRYPTO_SYM_XFORM_AEAD ?
				x->aead.key.length :
				x->type == RTE_CRYPTO_SYM_XFORM_CIPHER ?
				x->cipher.key.length : x->auth.key.length);
			return -ENOTSUP;
		}
	}
	return 0;
}

static void
tunnel_addrs(struct rte_security_ipsec_xform *ix, const struct ss_sa *sa)
{
	const bool out = sa->dir == SS_SA_DIR_OUT;
	/* egress: the outer header we write; ingress: the one received */
	const struct ss_ipaddr *src = out ? &sa->local : &sa->peer;
	const struct ss_ipaddr *dst = out ? &sa->peer : &sa->local;

	if (sa->local.family == AF_INET) {
		ix->tunnel.type = RTE_SECURITY_IPSEC_TUNNEL_IPV4;
		memcpy(&ix->tunnel.ipv4.src_ip, &src->v4, 4);
		memcpy(&ix->tunnel.ipv4.dst_ip, &dst->v4, 4);
		ix->tunnel.ipv4.ttl = 64;
	} else {
		ix->tunnel.type = RTE_SECURITY_IPSEC_TUNNEL_IPV6;
		memcpy(&ix->tunnel.ipv6.src_addr, src->v6, 16);
		memcpy(&ix->tunnel.ipv6.dst_addr, dst->v6, 16);
		ix->tunnel.ipv6.hlimit = 64;
	}
}

/* An inbound SA on a NIC's own context: ESP of this SPI to this
 * address goes through the session, and to the server's queue. */
static struct rte_flow *
flow_make(const struct ss_sa *sa, void *sess, char *err, size_t len)
{
	struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_ipv4 ip4 = { 0 }, ip4m = { 0 };
	struct rte_flow_item_ipv6 ip6 = { 0 }, ip6m = { 0 };
	struct rte_flow_item_esp esp = { 0 }, espm = { 0 };
	struct rte_flow_item pat[4];
	struct rte_flow_action_security sec = { .security_session = sess };
	struct rte_flow_action_queue q = { 0 };
	struct rte_flow_action act[3];
	struct rte_flow_error fe;
	struct rte_flow *f;

	memset(pat, 0, sizeof(pat));
	memset(act, 0, sizeof(act));
	memset(&fe, 0, sizeof(fe));
	pat[0].type = RTE_FLOW_ITEM_TYPE_ETH;
	if (sa->local.family == AF_INET) {
		ip4.hdr.dst_addr = sa->local.v4;
		ip4m.hdr.dst_addr = UINT32_MAX;
		pat[1].type = RTE_FLOW_ITEM_TYPE_IPV4;
		pat[1].spec = &ip4;
		pat[1].mask = &ip4m;
	} else {
		memcpy(ip6.hdr.dst_addr, sa->local.v6, 16);
		memset(ip6m.hdr.dst_addr, 0xff, 16);
		pat[1].type = RTE_FLOW_ITEM_TYPE_IPV6;
		pat[1].spec = &ip6;
		pat[1].mask = &ip6m;
	}
	esp.hdr.spi = rte_cpu_to_be_32(sa->spi);
	espm.hdr.spi = UINT32_MAX;
	pat[2].type = RTE_FLOW_ITEM_TYPE_ESP;
	pat[2].spec = &esp;
	pat[2].mask = &espm;
	pat[3].type = RTE_FLOW_ITEM_TYPE_END;
	q.index = sa->server < inl.nb_queue ? inl.queue[sa->server] :
		sa->server;
	act[0].type = RTE_FLOW_ACTION_TYPE_SECURITY;
	act[0].conf = &sec;
	act[1].type = RTE_FLOW_ACTION_TYPE_QUEUE;
	act[1].conf = &q;
	act[2].type = RTE_FLOW_ACTION_TYPE_END;
	f = rte_flow_create(inl.port_id, &attr, pat, act, &fe);
	if (f == NULL) {
		/* Some NICs take SECURITY only as the last action; RSS then
		 * picks the queue and software steering corrects it. */
		act[1].type = RTE_FLOW_ACTION_TYPE_END;
		f = rte_flow_create(inl.port_id, &attr, pat, act, &fe);
	}
	if (f == NULL)
		snprintf(err, len, "port %u refused the inbound rule for SPI "
			"0x%08x: %s", inl.port_id, sa->spi,
			fe.message != NULL ? fe.message : "no reason given");
	return f;
}

static int
inl_session_create(struct ss_esp_sa *esa, const struct ss_sa *sa,
	struct rte_crypto_sym_xform *xf, char *err, size_t len)
{
	struct rte_security_capability_idx idx;
	const struct rte_security_capability *cap;
	struct rte_security_session_conf sc;
	const uint8_t *key;
	struct rte_flow *flow = NULL;
	void *sess, *soft = NULL;
	uint8_t klen;
	int rc;

	if (inl.ctx == NULL) {
		snprintf(err, len, "back-end 'inline' is not running (the "
			"ipsec.inline settings start it)");
		return -ENODEV;
	}
	memset(&idx, 0, sizeof(idx));
	idx.action = RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO;
	idx.protocol = RTE_SECURITY_PROTOCOL_IPSEC;
	idx.ipsec.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
	idx.ipsec.mode = sa->mode == SS_SA_MODE_TUNNEL ?
		RTE_SECURITY_IPSEC_SA_MODE_TUNNEL :
		RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT;
	idx.ipsec.direction = sa->dir == SS_SA_DIR_OUT ?
		RTE_SECURITY_IPSEC_SA_DIR_EGRESS :
		RTE_SECURITY_IPSEC_SA_DIR_INGRESS;
	cap = rte_security_capability_get(inl.ctx, &idx);
	rc = -ENOTSUP;
	if (cap == NULL)
		snprintf(err, len, "the NIC of port %u has no inline crypto "
			"for ESP %s %s", inl.port_id, mode_name(sa),
			dir_name(sa));
	else if (sa->esn && !cap->ipsec.options.esn)
		snprintf(err, len, "the NIC of port %u cannot do extended "
			"sequence numbers inline (esn = false for this SA)",
			inl.port_id);
	else if (sa->udp_encap && !cap->ipsec.options.udp_encap)
		snprintf(err, len, "the NIC of port %u cannot do UDP "
			"encapsulation (NAT-T) inline", inl.port_id);
	else
		rc = xforms_supported(cap, xf, err, len);
	if (rc != 0) {
		inl.st.refused++;
		return rc;
	}

	memset(&sc, 0, sizeof(sc));
	sc.action_type = RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO;
	sc.protocol = RTE_SECURITY_PROTOCOL_IPSEC;
	sc.ipsec.spi = sa->spi;
	sc.ipsec.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
	sc.ipsec.direction = idx.ipsec.direction;
	sc.ipsec.mode = idx.ipsec.mode;
	sc.ipsec.options.esn = sa->esn;
	sc.ipsec.options.udp_encap = sa->udp_encap;
	/* the NIC's own per-SA counts, where it keeps them */
	sc.ipsec.options.stats = cap->ipsec.options.stats;
	if (sa->udp_encap) {
		/* the ports as on the wire in the SA's direction */
		sc.ipsec.udp.sport = sa->dir == SS_SA_DIR_OUT ?
			sa->encap_local_port : sa->encap_peer_port;
		sc.ipsec.udp.dport = sa->dir == SS_SA_DIR_OUT ?
			sa->encap_peer_port : sa->encap_local_port;
	}
	/* lib/esp keeps the window; the NIC only decrypts */
	sc.ipsec.replay_win_sz = 0;
	if (xf->type == RTE_CRYPTO_SYM_XFORM_AEAD) {
		key = ss_sa_key(sa, &klen);
		memcpy(&sc.ipsec.salt, key + xf->aead.key.length, 4);
	}
	if (sa->mode == SS_SA_MODE_TUNNEL)
		tunnel_addrs(&sc.ipsec, sa);
	sc.crypto_xform = xf;
	sc.userdata = esa;
	sess = rte_security_session_create(inl.ctx, &sc, inl.pool);
	explicit_bzero(&sc.ipsec.salt, sizeof(sc.ipsec.salt));
	if (sess == NULL) {
		rc = rte_errno != 0 ? -rte_errno : -EINVAL;
		snprintf(err, len, "the NIC of port %u refused the session "
			"of SA 0x%08x: %s", inl.port_id, sa->spi,
			rte_mempool_avail_count(inl.pool) == 0 ?
			"no free session (ipsec.inline.sessions)" :
			rte_strerror(-rc));
		inl.st.refused++;
		return rc;
	}
	if (sa->dir == SS_SA_DIR_IN) {
		/* For ESP the NIC passes up undecrypted: what arrived before
		 * the session existed and was held, fragments reassembled
		 * here. Wiped with the SA. */
		key = ss_sa_key(sa, &klen);
		soft = ss_esp_mb_state_make(sa, key, klen, err, len);
		if (soft == NULL) {
			rte_security_session_destroy(inl.ctx, sess);
			inl.st.refused++;
			return -ENOMEM;
		}
	}
	if (inl.own_ctx && sa->dir == SS_SA_DIR_IN) {
		flow = flow_make(sa, sess, err, len);
		if (flow == NULL) {
			ss_esp_mb_state_free(soft);
			rte_security_session_destroy(inl.ctx, sess);
			inl.st.refused++;
			return -ENOTSUP;
		}
		inl.st.flows++;
	}
	esa->cs = sess;
	esa->be_priv = soft;
	esa->be_aux = flow;
	esa->ss.security.ctx = inl.ctx;
	esa->ss.security.ses = sess;
	esa->ss.security.ol_flags = cap->ol_flags;
	inl.st.created++;
	inl.st.sessions++;
	INL_LOG(DEBUG, "SA 0x%08x %s: session on port %u\n", sa->spi,
		dir_name(sa), inl.port_id);
	return 0;
}

static void
inl_session_destroy(struct ss_esp_sa *esa)
{
	struct rte_flow_error fe;

	if (esa->be_aux != NULL) {
		if (rte_flow_destroy(inl.port_id, esa->be_aux, &fe) != 0)
			INL_LOG(WARNING, "port %u: inbound rule not removed: "
				"%s\n", inl.port_id, fe.message != NULL ?
				fe.message : "no reason given");
		esa->be_aux = NULL;
	}
	ss_esp_mb_state_free(esa->be_priv);
	esa->be_priv = NULL;
	if (esa->cs != NULL && inl.ctx != NULL) {
		/* the NIC wipes the key with its session */
		rte_security_session_destroy(inl.ctx, esa->cs);
		inl.st.destroyed++;
		inl.st.sessions--;
	}
	esa->cs = NULL;
	memset(&esa->ss.security, 0, sizeof(esa->ss.security));
}

static int
inl_session_stats(const struct ss_sa *sa, struct ss_esp_nic_stats *st)
{
	const struct ss_esp_sa *esa = sa->dp;
	struct rte_security_stats s;
	int rc;

	if (esa->cs == NULL || inl.ctx == NULL)
		return -ENOTSUP;
	memset(&s, 0, sizeof(s));
	rc = rte_security_session_stats_get(inl.ctx, esa->cs, &s);
	if (rc != 0)
		return rc;
	if (sa->dir == SS_SA_DIR_IN) {
		st->packets = s.ipsec.ipackets;
		st->bytes = s.ipsec.ibytes;
		st->failed = s.ipsec.ierrors;
	} else {
		st->packets = s.ipsec.opackets;
		st->bytes = s.ipsec.obytes;
		st->failed = s.ipsec.oerrors;
	}
	return 0;
}

static const struct ss_crypto_backend inline_backend = {
	.name = "inline",
	.session_create = inl_session_create,
	.session_destroy = inl_session_destroy,
	.inline_crypto = true,
	.session_stats = inl_session_stats,
};

/* One line per capability, so that the operator sees what the NIC
 * offers before an SA is refused. */
static bool
caps_report(void)
{
	const struct rte_security_capability *c;
	bool any = false;

	c = rte_security_capabilities_get(inl.ctx);
	for (; c != NULL && c->action != RTE_SECURITY_ACTION_TYPE_NONE;
			c++) {
		if (c->action != RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO ||
				c->protocol != RTE_SECURITY_PROTOCOL_IPSEC)
			continue;
		any = true;
		INL_LOG(INFO, "port %u: inline crypto ESP %s %s%s%s%s\n",
			inl.port_id,
			c->ipsec.mode == RTE_SECURITY_IPSEC_SA_MODE_TUNNEL ?
			"tunnel" : "transport",
			c->ipsec.direction ==
			RTE_SECURITY_IPSEC_SA_DIR_EGRESS ? "egress" :
			"ingress", c->ipsec.options.esn ? " esn" : "",
			c->ipsec.options.udp_encap ? " udp-encap" : "",
			c->ipsec.options.stats ? " per-SA-counts" : "");
	}
	return any;
}

int
ss_inline_init(const struct ss_inline_conf *c, char *err, size_t len)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int sz;
	int ret;

	if (inl.ctx != NULL) {
		snprintf(err, len, "inline back-end already running");
		return -EALREADY;
	}
	if (c->max_sessions < 2 || c->max_sessions > 65536 ||
			!rte_eth_dev_is_valid_port(c->port_id)) {
		snprintf(err, len, "bad inline settings (port %u, %u "
			"sessions)", c->port_id, c->max_sessions);
		return -EINVAL;
	}
	memset(&inl.st, 0, sizeof(inl.st));
	inl.port_id = c->port_id;
	inl.own_ctx = c->ctx == NULL;
	inl.ctx = c->ctx != NULL ? c->ctx :
		rte_eth_dev_get_sec_ctx(c->port_id);
	if (inl.ctx == NULL) {
		snprintf(err, len, "port %u's driver has no rte_security "
			"context, so its NIC cannot do inline IPsec (set "
			"ipsec.inline.software = true for the software one)",
			c->port_id);
		return -ENOTSUP;
	}
	if (!caps_report()) {
		snprintf(err, len, "port %u's NIC offers no inline crypto "
			"for IPsec", c->port_id);
		inl.ctx = NULL;
		return -ENOTSUP;
	}
	inl.queue = c->server_queue;
	inl.nb_queue = c->server_queue != NULL ? c->nb_server_queue : 0;
	sz = rte_security_session_get_size(inl.ctx);
	snprintf(name, sizeof(name), "ss_inline_%u", c->port_id);
	inl.pool = rte_mempool_create(name, c->max_sessions, sz, 0, 0, NULL,
		NULL, NULL, NULL, c->socket, 0);
	if (inl.pool == NULL) {
		snprintf(err, len, "no memory for %u sessions of %u bytes",
			c->max_sessions, sz);
		inl.ctx = NULL;
		return -ENOMEM;
	}
	inl.prev = ss_crypto_backend_get(SS_SA_BACKEND_INLINE);
	ret = ss_crypto_backend_register(SS_SA_BACKEND_INLINE,
		&inline_backend);
	if (ret < 0) {
		snprintf(err, len, "cannot take the inline slot");
		rte_mempool_free(inl.pool);
		inl.pool = NULL;
		inl.ctx = NULL;
		return ret;
	}
	inl.st.own_ctx = inl.own_ctx;
	INL_LOG(INFO, "port %u: inline IPsec on the %s, up to %u sessions\n",
		c->port_id, inl.own_ctx ? "NIC's rte_security context" :
		"software inline NIC", c->max_sessions);
	return 0;
}

void
ss_inline_fini(void)
{
	if (inl.ctx == NULL)
		return;
	if (inl.prev != NULL)
		ss_crypto_backend_register(SS_SA_BACKEND_INLINE, inl.prev);
	if (inl.st.sessions != 0)
		INL_LOG(WARNING, "%u sessions still open at exit\n",
			inl.st.sessions);
	rte_mempool_free(inl.pool);
	inl.pool = NULL;
	inl.ctx = NULL;
	inl.prev = NULL;
}

bool
ss_inline_active(void)
{
	return inl.ctx != NULL;
}

void
ss_inline_stats_get(struct ss_inline_stats *st)
{
	*st = inl.st;
}
