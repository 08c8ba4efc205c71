/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* IKEv2 state machine: IKE_SA_INIT, IKE_AUTH (PSK), CREATE_CHILD_SA (one
 * pair per server, rekeying), INFORMATIONAL (delete, liveness), with a
 * window of one request each way, retransmission and cached responses. */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>
#include <rte_common.h>
#include <rte_log.h>

#include "ss_steer.h"
#include "ss_ike_priv.h"

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar) \
	for ((var) = TAILQ_FIRST((head)); \
		(var) && ((tvar) = TAILQ_NEXT((var), field), 1); \
		(var) = (tvar))
#endif

RTE_LOG_REGISTER(ss_ike_logtype, shardsec.ike, INFO);

#define NONCE_LEN 32
#define MAX_NONCE 256
#define QUEUE_LEN 64
#define COOKIE_LEN 32
#define REDUNDANT_WAIT_MS 5000

enum sa_state {
	S_INIT_SENT,
	S_INIT_RCVD,
	S_AUTH_SENT,
	S_ESTABLISHED,
	S_DELETING,
	S_DEAD,
};

static const char *const state_names[] = {
	"INIT_SENT", "INIT_RCVD", "AUTH_SENT", "ESTABLISHED", "DELETING",
	"DEAD",
};

enum task_type {
	T_NONE,
	T_INIT,
	T_AUTH,
	T_CHILD_CREATE,
	T_CHILD_REKEY,
	T_CHILD_DELETE,
	T_IKE_REKEY,
	T_IKE_DELETE,
	T_DPD,
};

struct task {
	uint8_t type;
	uint8_t cc;			/* child conf index */
	uint16_t server_id;
	uint32_t spi_in;		/* child to rekey / delete */
};

enum child_state {
	C_INSTALLED,
	C_REKEYING,
	C_REKEYED,			/* replaced, delete pending */
	C_DELETING,
};

static const char *const child_state_names[] = {
	"INSTALLED", "REKEYING", "REKEYED", "DELETING",
};

struct child {
	TAILQ_ENTRY(child) next;
	uint8_t cc;
	uint8_t state;
	uint16_t server_id;
	uint32_t spi_in, spi_out;
	struct ike_alg alg;
	struct ss_ike_ts ts_l[SS_IKE_MAX_TS], ts_r[SS_IKE_MAX_TS];
	uint8_t nb_ts_l, nb_ts_r;
	uint64_t installed_ms, rekey_ms, expire_ms;
	uint64_t bytes, packets;
	bool rekey_queued;
	/* negotiated but never installed (its server went away meanwhile,
	 * or the dataplane refused it): only its Delete is due */
	bool phantom;
	/* rekey collision (RFC 7296 2.8.1): lowest nonce of the peer's
	 * exchange, and the Child SA it created */
	bool collision;
	uint8_t coll_nonce[MAX_NONCE];
	uint16_t coll_nonce_len;
	uint32_t coll_spi_in;
	/* rekey responder: outbound SA in standby until the pair it
	 * replaces is deleted, or standby_ms (0: never, a redundant SA of
	 * a collision that the peer deletes) */
	bool standby;
	uint32_t replaces;
	uint64_t standby_ms;
	/* only with key export enabled */
	uint8_t *keymat;
	size_t keymat_len;
};

TAILQ_HEAD(child_list, child);

/* RFC 7383 reassembly of one message: the verified, decrypted fragments
 * one after the other in data[] in the order they came. */
#define IKE_MAX_FRAGS 64
struct ike_reasm {
	uint32_t msgid;
	uint16_t total;		/* 0: nothing collected */
	uint16_t have;
	uint64_t got;		/* bit n - 1: fragment n is here */
	uint8_t np;		/* first inner payload, from fragment 1 */
	size_t used;
	uint16_t off[IKE_MAX_FRAGS + 1], len[IKE_MAX_FRAGS + 1];
	uint8_t data[IKE_MAX_MSG];
};

/* sa->req / sa->rsp: a message, or the fragments of one back to back */
#define IKE_OUT_CAP (2 * IKE_MAX_MSG)

struct ike_sa {
	TAILQ_ENTRY(ike_sa) next;
	uint32_t uid;
	const struct ss_ike_peer_conf *pc;
	uint8_t state;
	bool initiator;
	uint64_t spi_i, spi_r;
	struct ss_ike_addr local, remote;
	bool natt, nat_here, nat_there;
	struct ike_alg alg;
	size_t prf_len, ek_len, ak_len;
	uint8_t sk_d[64], sk_ai[64], sk_ar[64], sk_ei[64], sk_er[64];
	uint8_t sk_pi[64], sk_pr[64];
	uint8_t ni[MAX_NONCE], nr[MAX_NONCE];
	uint16_t ni_len, nr_len;
	struct ike_dh *dh;
	uint16_t dh_group;
	uint8_t *init_req, *init_rsp;
	size_t init_req_len, init_rsp_len;
	uint8_t cookie[64];
	uint8_t cookie_len;
	uint8_t init_retries;
	/* my request (window 1) */
	uint32_t my_msgid;
	bool req_pending;
	uint8_t *req;
	size_t req_len;
	uint8_t req_tries;
	uint64_t req_next_ms;
	uint32_t req_timeout;
	struct task cur;
	/* per exchange state of cur */
	uint8_t x_nonce[MAX_NONCE];
	uint16_t x_nonce_len;
	struct ike_dh *x_dh;
	uint32_t x_spi_in;
	uint64_t x_new_spi;
	/* peer's requests */
	uint32_t peer_msgid;
	uint8_t *rsp;
	size_t rsp_len;
	bool rsp_valid;
	struct task q[QUEUE_LEN];
	unsigned int q_head, q_len;
	uint64_t created_ms, established_ms, last_rx_ms;
	uint64_t rekey_ms, expire_ms, keepalive_ms;
	bool rekey_queued;
	bool ts_max_queue;
	bool initial_contact;
	uint8_t peer_sig_hashes;	/* RFC 7427 bits the peer announced */
	/* RFC 7383: both ends announced fragmentation; the fragments of
	 * the peer's request [0] and of its response [1] being collected */
	bool frag;
	struct ike_reasm *reasm[2];
	uint8_t rr;
	struct child_list children;
	unsigned int nb_children;
	/* replaced pairs whose inbound SA still decrypts what the peer sent
	 * before it switched (expire_ms: when it goes) */
	struct child_list retired;
	/* simultaneous IKE SA rekey (RFC 7296 2.8.2): the new IKE SA that
	 * the peer's rekey made while ours was outstanding, and the lowest
	 * nonce of that exchange */
	uint32_t coll_uid;
	uint8_t coll_nonce[MAX_NONCE];
	uint16_t coll_nonce_len;
	/* the peer's redundant SA: deleted by us if the peer has not by
	 * then (it may never have seen the collision), 0 none */
	uint64_t delete_by_ms;
};

TAILQ_HEAD(sa_list, ike_sa);

struct ss_ike {
	struct ss_ike_conf conf;
	struct ss_ike_ops ops;
	void *ctx;
	struct sa_list sas;
	uint32_t next_uid;
	uint16_t servers[SS_IKE_MAX_SERVERS];
	uint16_t nb_servers;
	struct ike_cred *cred[SS_IKE_MAX_PEERS];	/* pubkey peers */
	uint8_t cookie_secret[32];
	/* per peer: when to initiate a lost IKE SA again, 0 never */
	uint64_t restart_ms[SS_IKE_MAX_PEERS];
	struct ss_ike_stats st;
	uint64_t now;
	uint8_t plain[IKE_MAX_MSG];
	uint8_t out[IKE_MAX_MSG + 4];
	uint8_t inner[IKE_MAX_MSG];
};

static const char *const counter_names[] = {
#define SS_IKE_CNT_NAME(n) #n,
	SS_IKE_COUNTERS(SS_IKE_CNT_NAME)
#undef SS_IKE_CNT_NAME
};

const char *
ss_ike_counter_name(unsigned int i)
{
	return i < SS_IKE_CNT_MAX ? counter_names[i] : "?";
}

#define CNT(ike, n) ((ike)->st.c[SS_IKE_CNT_##n]++)

static void __attribute__((format(printf, 3, 4)))
event(struct ss_ike *ike, const struct ike_sa *sa, const char *fmt, ...)
{
	char buf[256];
	int n = 0;
	va_list ap;

	if (sa != NULL)
		n = snprintf(buf, sizeof(buf), "%s[%u]: ",
			sa->pc ? sa->pc->name : "?", sa->uid);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	SS_IKE_LOG(INFO, "%s", buf);
	if (ike->ops.event != NULL)
		ike->ops.event(ike->ctx, buf);
}

static uint32_t
rnd32(void)
{
	uint32_t v = 0;

	ike_random(&v, sizeof(v));
	return v;
}

static uint64_t
rnd64_nz(void)
{
	uint64_t v = 0;

	while (v == 0)
		ike_random(&v, sizeof(v));
	return v;
}

/* ---- small helpers ------------------------------------------------- */

static size_t
alen(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static const uint8_t *
ipbytes(const struct ss_ipaddr *a)
{
	return a->family == AF_INET ? (const uint8_t *)&a->v4 : a->v6;
}

static bool
addr_eq(const struct ss_ike_addr *a, const struct ss_ike_addr *b)
{
	return ss_ipaddr_equal(&a->ip, &b->ip) && a->port == b->port;
}

static void
wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

static bool
ts_intersect(const struct ss_ike_ts *a, const struct ss_ike_ts *b,
	struct ss_ike_ts *o)
{
	size_t n;

	if (a->family != b->family)
		return false;
	if (a->proto != 0 && b->proto != 0 && a->proto != b->proto)
		return false;
	n = alen(a->family);
	memset(o, 0, sizeof(*o));
	o->family = a->family;
	o->proto = a->proto ? a->proto : b->proto;
	o->port_lo = RTE_MAX(a->port_lo, b->port_lo);
	o->port_hi = RTE_MIN(a->port_hi, b->port_hi);
	if (o->port_lo > o->port_hi)
		return false;
	memcpy(o->lo, memcmp(a->lo, b->lo, n) > 0 ? a->lo : b->lo, n);
	memcpy(o->hi, memcmp(a->hi, b->hi, n) < 0 ? a->hi : b->hi, n);
	return memcmp(o->lo, o->hi, n) <= 0;
}

/* Narrow 'rx' to the configured 'conf': every non-empty intersection. */
static uint8_t
ts_narrow(const struct ss_ike_ts *rx, uint8_t nb_rx,
	const struct ss_ike_ts *conf, uint8_t nb_conf, struct ss_ike_ts *out)
{
	unsigned int i, j;
	uint8_t n = 0;

	for (i = 0; i < nb_rx; i++)
		for (j = 0; j < nb_conf && n < SS_IKE_MAX_TS; j++)
			if (ts_intersect(&rx[i], &conf[j], &out[n]))
				n++;
	return n;
}

/* Each of 'got' lies inside one of 'offered'. */
static bool
ts_subset(const struct ss_ike_ts *got, uint8_t nb_got,
	const struct ss_ike_ts *offered, uint8_t nb_off)
{
	unsigned int i, j;
	struct ss_ike_ts x;

	for (i = 0; i < nb_got; i++) {
		bool ok = false;

		for (j = 0; j < nb_off && !ok; j++)
			ok = ts_intersect(&got[i], &offered[j], &x) &&
				memcmp(&x, &got[i], sizeof(x)) == 0;
		if (!ok)
			return false;
	}
	return nb_got > 0;
}

/* ---- SA lifecycle ---------------------------------------------------- */

static struct ike_sa *
sa_new(struct ss_ike *ike, const struct ss_ike_peer_conf *pc, bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (sa == NULL)
		return NULL;
	sa->req = malloc(IKE_OUT_CAP);
	sa->rsp = malloc(IKE_OUT_CAP);
	if (sa->req == NULL || sa->rsp == NULL) {
		free(sa->req);
		free(sa->rsp);
		free(sa);
		return NULL;
	}
	sa->uid = ++ike->next_uid;
	sa->pc = pc;
	sa->initiator = initiator;
	sa->created_ms = ike->now;
	sa->last_rx_ms = ike->now;
	TAILQ_INIT(&sa->children);
	TAILQ_INIT(&sa->retired);
	TAILQ_INSERT_TAIL(&ike->sas, sa, next);
	return sa;
}

static void
child_free(struct child *c)
{
	if (c->keymat != NULL) {
		wipe(c->keymat, c->keymat_len);
		free(c->keymat);
	}
	wipe(c, sizeof(*c));
	free(c);
}

static void
child_activate(struct ss_ike *ike, struct ike_sa *sa, struct child *c,
	const char *why)
{
	if (!c->standby)
		return;
	c->standby = false;
	if (ike->ops.child_activate != NULL)
		ike->ops.child_activate(ike->ctx, c->spi_in, c->spi_out);
	event(ike, sa, "child %s: sending on out %08x (%s)",
		sa->pc->child[c->cc].name, c->spi_out, why);
}

/* Another live pair of c's child for c's server: c was replaced by a
 * rekey (or is the redundant pair of a collision). */
static bool
child_replaced(const struct ike_sa *sa, const struct child *c)
{
	const struct child *x;

	TAILQ_FOREACH(x, &sa->children, next)
		if (x != c && x->cc == c->cc && x->server_id == c->server_id &&
				!x->phantom && x->state != C_DELETING &&
				x->state != C_REKEYED)
			return true;
	return false;
}

/* by_delete: a Delete exchange ends the pair (not the IKE SA going). A
 * replaced pair's inbound SA then lives on for delete_rekeyed_delay: the
 * peer switched to the new pair before it sent its Delete (or answered
 * ours), but what it encrypted just before may still be on the way,
 * held in its ESP queue or in one of our workers' rings. */
static void
child_remove(struct ss_ike *ike, struct ike_sa *sa, struct child *c,
	bool notify, bool by_delete)
{
	struct child *s;
	bool retire;

	/* the pair a standby child replaces is gone: send on the new one */
	if (sa->state == S_ESTABLISHED)
		TAILQ_FOREACH(s, &sa->children, next)
			if (s->standby && s->replaces == c->spi_in)
				child_activate(ike, sa, s, "old pair deleted");
	retire = by_delete && notify && !c->phantom &&
		ike->conf.delete_rekeyed_delay > 0 &&
		ike->ops.child_retire != NULL && child_replaced(sa, c);
	TAILQ_REMOVE(&sa->children, c, next);
	sa->nb_children--;
	CNT(ike, child_deleted);
	if (retire) {
		ike->ops.child_retire(ike->ctx, c->spi_in, c->spi_out);
		c->expire_ms = ike->now +
			(uint64_t)ike->conf.delete_rekeyed_delay * 1000;
		TAILQ_INSERT_TAIL(&sa->retired, c, next);
		CNT(ike, child_retired);
		event(ike, sa, "child %s deleted: in %08x out %08x server %u "
			"(replaced: inbound kept %u s for packets in flight)",
			sa->pc->child[c->cc].name, c->spi_in, c->spi_out,
			c->server_id, ike->conf.delete_rekeyed_delay);
		return;
	}
	if (notify && !c->phantom && ike->ops.child_delete != NULL)
		ike->ops.child_delete(ike->ctx, c->spi_in, c->spi_out);
	event(ike, sa, "child %s deleted: in %08x out %08x server %u",
		sa->pc->child[c->cc].name, c->spi_in, c->spi_out,
		c->server_id);
	child_free(c);
}

/* Retired inbound SAs whose time is up; all of them when the IKE SA
 * goes (its peer is gone or deleted it: nothing more is on the way). */
static void
retired_reap(struct ss_ike *ike, struct ike_sa *sa, bool all,
	int server_id)
{
	struct child *c, *t;

	TAILQ_FOREACH_SAFE(c, &sa->retired, next, t) {
		if (!all && ike->now < c->expire_ms &&
				(server_id < 0 || c->server_id != server_id))
			continue;
		TAILQ_REMOVE(&sa->retired, c, next);
		if (ike->ops.child_delete != NULL)
			ike->ops.child_delete(ike->ctx, c->spi_in, c->spi_out);
		event(ike, sa, "child %s: inbound SA %08x of the replaced pair "
			"removed", sa->pc->child[c->cc].name, c->spi_in);
		child_free(c);
	}
}

static void
sa_destroy(struct ss_ike *ike, struct ike_sa *sa, const char *why)
{
	struct child *c;
	unsigned int i;

	while ((c = TAILQ_FIRST(&sa->children)) != NULL)
		child_remove(ike, sa, c, true, false);
	retired_reap(ike, sa, true, -1);
	if (sa->state == S_ESTABLISHED || sa->state == S_DELETING)
		CNT(ike, ike_deleted);
	event(ike, sa, "IKE SA %016" PRIx64 "_%016" PRIx64 " deleted (%s)",
		sa->spi_i, sa->spi_r, why);
	TAILQ_REMOVE(&ike->sas, sa, next);
	ike_dh_free(sa->dh);
	ike_dh_free(sa->x_dh);
	free(sa->init_req);
	free(sa->init_rsp);
	free(sa->req);
	free(sa->rsp);
	for (i = 0; i < RTE_DIM(sa->reasm); i++) {
		if (sa->reasm[i] != NULL)
			wipe(sa->reasm[i], sizeof(*sa->reasm[i]));
		free(sa->reasm[i]);
	}
	wipe(sa, sizeof(*sa));
	free(sa);
}

static struct child *
child_by_in(const struct ike_sa *sa, uint32_t spi)
{
	struct child *c;

	TAILQ_FOREACH(c, &sa->children, next)
		if (c->spi_in == spi)
			return c;
	return NULL;
}

static struct child *
child_by_out(const struct ike_sa *sa, uint32_t spi)
{
	struct child *c;

	TAILQ_FOREACH(c, &sa->children, next)
		if (c->spi_out == spi)
			return c;
	return NULL;
}

static bool
spi_in_used(const struct ss_ike *ike, uint32_t spi)
{
	const struct ike_sa *sa;

	TAILQ_FOREACH(sa, &ike->sas, next)
		if (child_by_in(sa, spi) != NULL || sa->x_spi_in == spi)
			return true;
	return false;
}

static uint32_t
spi_alloc(struct ss_ike *ike, uint16_t server_id)
{
	uint32_t spi;
	int tries = 0;

	do {
		if (ike->ops.spi_alloc != NULL)
			spi = ike->ops.spi_alloc(ike->ctx, server_id);
		else
			spi = ss_steer_spi_make(server_id,
				ike->conf.instance_bits, rnd32());
	} while (spi_in_used(ike, spi) && ++tries < 64);
	return spi;
}

static void
queue_task(struct ike_sa *sa, uint8_t type, uint8_t cc, uint16_t server_id,
	uint32_t spi_in)
{
	struct task *t;

	if (sa->q_len >= QUEUE_LEN)
		return;
	t = &sa->q[(sa->q_head + sa->q_len++) % QUEUE_LEN];
	t->type = type;
	t->cc = cc;
	t->server_id = server_id;
	t->spi_in = spi_in;
}

/* ---- sending --------------------------------------------------------- */

static void
send_raw(struct ss_ike *ike, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote, const uint8_t *msg, size_t len)
{
	uint8_t *b = ike->out;

	if (local->port == SS_IKE_PORT_NATT) {
		/* non-ESP marker (RFC 3948) */
		memset(b, 0, 4);
		memmove(b + 4, msg, len);
		msg = b;
		len += 4;
	}
	CNT(ike, tx_msgs);
	if (ike->ops.send(ike->ctx, local, remote, msg, len) < 0)
		CNT(ike, send_failed);
}

/* The peer's IKE_SA_INIT announced RFC 7383 fragmentation. */
static bool
peer_frag(const struct ike_msg *m)
{
	struct ike_notify n;

	return ike_msg_notify(m, N_FRAGMENTATION_SUPPORTED, &n);
}

/* A buffer of one or more messages back to back (the fragments of one,
 * RFC 7383): each sent as a datagram of its own. */
static void
send_msgs(struct ss_ike *ike, const struct ike_sa *sa, const uint8_t *buf,
	size_t len)
{
	size_t off = 0;

	while (len - off >= IKE_HDR_LEN) {
		const uint8_t *p = buf + off;
		const size_t l = (size_t)p[24] << 24 | (size_t)p[25] << 16 |
			(size_t)p[26] << 8 | p[27];

		if (l < IKE_HDR_LEN || l > len - off)
			break;
		send_raw(ike, &sa->local, &sa->remote, p, l);
		off += l;
	}
}

static void
sk_keys(const struct ike_sa *sa, bool outbound, struct ike_sk_keys *k)
{
	/* the original initiator sends with SK_ei/SK_ai */
	bool use_i = outbound == sa->initiator;

	k->encr = sa->alg.encr;
	k->encr_bits = sa->alg.encr_bits;
	k->integ = sa->alg.integ;
	k->ek = use_i ? sa->sk_ei : sa->sk_er;
	k->ak = use_i ? sa->sk_ai : sa->sk_ar;
}

static uint8_t
hdr_flags(const struct ike_sa *sa, bool response)
{
	return (sa->initiator ? FLAG_INITIATOR : 0) |
		(response ? FLAG_RESPONSE : 0);
}

static void
arm_request(struct ss_ike *ike, struct ike_sa *sa)
{
	sa->req_pending = true;
	sa->req_tries = 0;
	sa->req_timeout = ike->conf.retransmit_ms;
	sa->req_next_ms = ike->now + sa->req_timeout;
	send_msgs(ike, sa, sa->req, sa->req_len);
}

/* What the IP datagram adds to an IKE message of the SA: IP and UDP
 * headers, and the non-ESP marker on port 4500. */
static size_t
dgram_over(const struct ike_sa *sa)
{
	return (sa->remote.ip.family == AF_INET6 ? 40 : 20) + 8 +
		(sa->local.port == SS_IKE_PORT_NATT ? 4 : 0);
}

/* RFC 7383 2.5: the inner chain in as many SKF messages as it takes for
 * each to fit fragment_size bytes of IP datagram, back to back in dst. */
static int
skf_seal_all(struct ss_ike *ike, const struct ike_sa *sa,
	const struct ike_sk_keys *k, uint8_t exch, uint8_t flags,
	uint32_t msgid, const struct ike_buf *in, uint8_t *dst, size_t *len)
{
	const size_t over = dgram_over(sa);
	const size_t room = ike->conf.fragment_size > over ?
		ike->conf.fragment_size - over : 0;
	size_t chunk = room, off = 0, used = 0, n;
	uint16_t num, nfrag;
	int ret;

	/* the largest chunk whose fragment fits (padding makes the
	 * length a step function of the chunk) */
	while (chunk > 0 && ike_sk_len(k, chunk, true) > room)
		chunk--;
	if (chunk < 64)
		return -EMSGSIZE;
	n = (in->len + chunk - 1) / chunk;
	if (n == 0 || n > IKE_MAX_FRAGS)
		return -EMSGSIZE;
	nfrag = (uint16_t)n;
	for (num = 1; num <= nfrag; num++) {
		const size_t c = RTE_MIN(chunk, in->len - off);
		size_t l;

		ret = ike_skf_seal(k, sa->spi_i, sa->spi_r, exch, flags, msgid,
			in->first_np, num, nfrag, in->p + off, c, dst + used,
			IKE_OUT_CAP - used, &l);
		if (ret < 0)
			return ret;
		off += c;
		used += l;
	}
	ike->st.c[SS_IKE_CNT_tx_fragments] += nfrag;
	*len = used;
	return 0;
}

/* Encrypt the inner chain and send it as a request (kept for
 * retransmission) or as the response to the peer's request msgid. */
static int
sk_send(struct ss_ike *ike, struct ike_sa *sa, uint8_t exch, bool response,
	uint32_t msgid, const struct ike_buf *in)
{
	struct ike_sk_keys k;
	uint8_t *dst = response ? sa->rsp : sa->req;
	size_t len;
	int ret;

	if (in->err)
		return -EMSGSIZE;
	sk_keys(sa, true, &k);
	if (sa->frag && ike_sk_len(&k, in->len, false) + dgram_over(sa) >
			ike->conf.fragment_size)
		ret = skf_seal_all(ike, sa, &k, exch, hdr_flags(sa, response),
			msgid, in, dst, &len);
	else
		ret = ike_sk_seal(&k, sa->spi_i, sa->spi_r, exch,
			hdr_flags(sa, response), msgid, in->first_np, in->p,
			in->len, dst, IKE_MAX_MSG, &len);
	if (ret < 0)
		return ret;
	if (response) {
		sa->rsp_len = len;
		sa->rsp_valid = true;
		send_msgs(ike, sa, sa->rsp, len);
	} else {
		sa->req_len = len;
		arm_request(ike, sa);
	}
	return 0;
}

/* Unprotected error response (IKE_SA_INIT), no state kept. */
static void
send_init_error(struct ss_ike *ike, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote, const struct ike_msg *m,
	uint16_t type, const void *data, size_t len)
{
	uint8_t buf[512];
	struct ike_buf b;

	ike_buf_init(&b, buf, sizeof(buf));
	ike_hdr_put(&b, m->spi_i, 0, EXCH_IKE_SA_INIT, FLAG_RESPONSE,
		m->msgid);
	ike_put_notify(&b, 0, NULL, 0, type, data, len);
	ike_hdr_finish(&b);
	if (!b.err)
		send_raw(ike, local, remote, buf, b.len);
}

/* ---- key derivation --------------------------------------------------- */

static int
derive_ike_keys(struct ike_sa *sa, const uint8_t *old_skd, size_t old_len,
	const uint8_t *g, size_t glen)
{
	uint8_t skeyseed[64], km[7 * 64];
	size_t pl = ike_prf_len(sa->alg.prf), off = 0;
	int ret;

	sa->prf_len = pl;
	sa->ek_len = ike_encr_keylen(sa->alg.encr, sa->alg.encr_bits);
	sa->ak_len = ike_integ_keylen(sa->alg.integ);
	if (pl == 0 || sa->ek_len == 0)
		return -ENOTSUP;
	ret = ike_skeyseed(sa->alg.prf, sa->ni, sa->ni_len, sa->nr,
		sa->nr_len, g, glen, old_skd, old_len, skeyseed);
	if (ret < 0)
		return ret;
	ret = ike_dkm(sa->alg.prf, skeyseed, sa->ni, sa->ni_len, sa->nr,
		sa->nr_len, sa->spi_i, sa->spi_r, km,
		3 * pl + 2 * sa->ak_len + 2 * sa->ek_len);
	wipe(skeyseed, sizeof(skeyseed));
	if (ret < 0)
		return ret;
	memcpy(sa->sk_d, km + off, pl);
	off += pl;
	memcpy(sa->sk_ai, km + off, sa->ak_len);
	off += sa->ak_len;
	memcpy(sa->sk_ar, km + off, sa->ak_len);
	off += sa->ak_len;
	memcpy(sa->sk_ei, km + off, sa->ek_len);
	off += sa->ek_len;
	memcpy(sa->sk_er, km + off, sa->ek_len);
	off += sa->ek_len;
	memcpy(sa->sk_pi, km + off, pl);
	off += pl;
	memcpy(sa->sk_pr, km + off, pl);
	wipe(km, sizeof(km));
	return 0;
}

/* "i" is the initiator of the exchange that made the child. */
static int
child_keymat(const struct ike_sa *sa, const struct ike_alg *a,
	const uint8_t *g, size_t glen, const uint8_t *ni, size_t ni_len,
	const uint8_t *nr, size_t nr_len, uint8_t *km, size_t *km_len)
{
	size_t ek = ike_encr_keylen(a->encr, a->encr_bits);
	size_t ak = ike_integ_keylen(a->integ);

	if (ek == 0)
		return -ENOTSUP;
	*km_len = 2 * (ek + ak);
	return ike_child_dkm(sa->alg.prf, sa->sk_d, g, glen, ni, ni_len, nr,
		nr_len, km, *km_len);
}

/* <SignedOctets> = RealMessage | NonceOfThePeer | prf(SK_p, ID') of the
 * initiator's (initiator_side) or the responder's AUTH, as three pieces;
 * mid holds the prf output. */
static int
signed_octets(const struct ike_sa *sa, bool initiator_side,
	const uint8_t *idb, size_t idlen, uint8_t mid[64],
	struct ike_iov iov[3])
{
	int ret;

	iov[0].p = idb;
	iov[0].n = idlen;
	ret = ike_prf(sa->alg.prf, initiator_side ? sa->sk_pi : sa->sk_pr,
		sa->prf_len, iov, 1, mid);
	if (ret < 0)
		return ret;
	iov[0].p = initiator_side ? sa->init_req : sa->init_rsp;
	iov[0].n = initiator_side ? sa->init_req_len : sa->init_rsp_len;
	iov[1].p = initiator_side ? sa->nr : sa->ni;
	iov[1].n = initiator_side ? sa->nr_len : sa->ni_len;
	iov[2].p = mid;
	iov[2].n = sa->prf_len;
	return 0;
}

static int
psk_auth(const struct ike_sa *sa, bool initiator_side, const uint8_t *idb,
	size_t idlen, uint8_t *out)
{
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t k[64], mid[64];
	struct ike_iov iov[3];
	int ret;

	iov[0].p = pad;
	iov[0].n = sizeof(pad) - 1;
	ret = ike_prf(sa->alg.prf, sa->pc->psk, sa->pc->psk_len, iov, 1, k);
	if (ret < 0)
		return ret;
	ret = signed_octets(sa, initiator_side, idb, idlen, mid, iov);
	if (ret < 0)
		goto out;
	ret = ike_prf(sa->alg.prf, k, sa->prf_len, iov, 3, out);
out:
	wipe(k, sizeof(k));
	return ret;
}

/* Certificate credentials of a pubkey peer's SA, NULL for PSK. */
static struct ike_cred *
sa_cred(const struct ss_ike *ike, const struct ike_sa *sa)
{
	return sa->pc->auth == SS_IKE_AUTH_PUBKEY ?
		ike->cred[sa->pc - ike->conf.peer] : NULL;
}

/* SIGNATURE_HASH_ALGORITHMS (RFC 7427 4): what we sign and verify with. */
static void
put_sig_hashes(struct ike_buf *b)
{
	static const uint8_t h[] = { 0, SIG_HASH_SHA2_256, 0,
		SIG_HASH_SHA2_384, 0, SIG_HASH_SHA2_512 };

	ike_put_notify(b, 0, NULL, 0, N_SIGNATURE_HASH_ALGORITHMS, h,
		sizeof(h));
}

static uint8_t
get_sig_hashes(const struct ike_msg *m)
{
	struct ike_notify n;
	uint8_t bits = 0;
	size_t i;

	if (!ike_msg_notify(m, N_SIGNATURE_HASH_ALGORITHMS, &n))
		return 0;
	for (i = 0; i + 1 < n.data_len; i += 2) {
		const unsigned int h = (unsigned int)n.data[i] << 8 |
			n.data[i + 1];

		if (h < 8)
			bits |= (uint8_t)(1u << h);
	}
	return bits;
}

/* Our side's AUTH payload (initiator_side: we are the initiator): the
 * PSK MAC, or our CERT then an RFC 7427 signature. */
static int
put_auth(struct ss_ike *ike, struct ike_sa *sa, bool initiator_side,
	struct ike_buf *b)
{
	const struct ss_ike_peer_conf *pc = sa->pc;
	const struct ike_cred *cred = sa_cred(ike, sa);
	const size_t idlen = 4u + pc->local_id.len;
	uint8_t idb[4 + SS_IKE_ID_LEN], out[1200], mid[64];
	struct ike_iov iov[3];
	uint8_t method = AUTH_PSK;
	size_t len = sa->prf_len, o;
	int ret;

	idb[0] = pc->local_id.type;
	memset(idb + 1, 0, 3);
	memcpy(idb + 4, pc->local_id.data, pc->local_id.len);
	if (cred == NULL) {
		ret = psk_auth(sa, initiator_side, idb, idlen, out);
	} else {
		method = AUTH_DIGITAL_SIGNATURE;
		ret = signed_octets(sa, initiator_side, idb, idlen, mid, iov);
		if (ret == 0)
			ret = ike_cred_sign(cred, sa->peer_sig_hashes, iov, 3,
				out, sizeof(out), &len);
		if (ret == -ENOTSUP)
			event(ike, sa, "peer announced no SHA2 signature hash "
				"(RFC 7427): cannot sign");
		if (ret == 0)
			ike_cred_put_cert(cred, b);
	}
	if (ret == 0) {
		o = ike_pl_begin(b, PL_AUTH);
		ike_put8(b, method);
		ike_put8(b, 0);
		ike_put16(b, 0);
		ike_put(b, out, len);
		ike_pl_end(b, o);
	}
	wipe(out, sizeof(out));
	wipe(mid, sizeof(mid));
	return ret;
}

static void
nat_hash(uint64_t spi_i, uint64_t spi_r, const struct ss_ike_addr *a,
	uint8_t out[20])
{
	uint8_t s[16], port[2] = { a->port >> 8, a->port & 0xff };
	struct ike_iov iov[3];
	unsigned int i;

	for (i = 0; i < 8; i++) {
		s[i] = (uint8_t)(spi_i >> (56 - 8 * i));
		s[8 + i] = (uint8_t)(spi_r >> (56 - 8 * i));
	}
	iov[0].p = s;
	iov[0].n = 16;
	iov[1].p = ipbytes(&a->ip);
	iov[1].n = alen(a->ip.family);
	iov[2].p = port;
	iov[2].n = 2;
	ike_sha1(iov, 3, out);
}

static void
put_nat_d(const struct ike_sa *sa, struct ike_buf *b, uint64_t spi_r)
{
	uint8_t h[20];

	nat_hash(sa->spi_i, spi_r, &sa->local, h);
	if (sa->pc->encap) {
		/* pretend to be behind a NAT so that both sides float to 4500
		 * and encapsulate ESP (like strongSwan's encap=yes) */
		ike_random(h, sizeof(h));
	}
	ike_put_notify(b, 0, NULL, 0, N_NAT_DETECTION_SOURCE_IP, h, 20);
	nat_hash(sa->spi_i, spi_r, &sa->remote, h);
	ike_put_notify(b, 0, NULL, 0, N_NAT_DETECTION_DESTINATION_IP, h, 20);
}

/* Compare the peer's NAT-D notifies with what we see. */
static void
check_nat(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t h[20];
	unsigned int i;
	bool src_seen = false, src_ok = false, dst_seen = false;
	bool dst_ok = false;

	for (i = 0; i < m->nb_pl; i++) {
		struct ike_notify n;

		if (m->pl[i].type != PL_NOTIFY ||
			ike_notify_decode(&m->pl[i], &n) < 0 ||
			n.data_len != 20)
			continue;
		if (n.type == N_NAT_DETECTION_SOURCE_IP) {
			src_seen = true;
			nat_hash(m->spi_i, m->spi_r, &sa->remote, h);
			src_ok |= memcmp(h, n.data, 20) == 0;
		} else if (n.type == N_NAT_DETECTION_DESTINATION_IP) {
			dst_seen = true;
			nat_hash(m->spi_i, m->spi_r, &sa->local, h);
			dst_ok |= memcmp(h, n.data, 20) == 0;
		}
	}
	if (!src_seen || !dst_seen)
		return;
	sa->nat_there = !src_ok;
	sa->nat_here = !dst_ok || sa->pc->encap;
}

/* ---- child SAs ------------------------------------------------------- */

static uint16_t
pick_server(struct ss_ike *ike, struct ike_sa *sa, uint8_t cc)
{
	unsigned int i, k;

	if (ike->nb_servers == 0)
		return 0;
	/* round robin over servers that have no pair of this child yet */
	for (k = 0; k < ike->nb_servers; k++) {
		uint16_t id = ike->servers[(sa->rr + k) % ike->nb_servers];
		const struct child *c;
		bool has = false;

		TAILQ_FOREACH(c, &sa->children, next)
			if (c->cc == cc && c->server_id == id &&
				c->state != C_REKEYED)
				has = true;
		if (!has) {
			sa->rr = (uint8_t)((sa->rr + k + 1) % ike->nb_servers);
			return id;
		}
	}
	i = sa->rr++ % ike->nb_servers;
	return ike->servers[i];
}

static void
fill_dir(const struct ike_sa *sa, const struct child *c,
	const struct ss_ike_child_conf *cc, bool inbound,
	struct ss_ike_child_sa *d)
{
	memset(d, 0, sizeof(*d));
	d->spi = inbound ? c->spi_in : c->spi_out;
	d->server_id = c->server_id;
	d->inbound = inbound;
	d->encr = c->alg.encr;
	d->encr_bits = c->alg.encr_bits;
	d->integ = c->alg.integ;
	d->esn = c->alg.esn == SS_IKE_ESN_YES;
	d->transport = cc->transport;
	d->src = inbound ? sa->remote : sa->local;
	d->dst = inbound ? sa->local : sa->remote;
	d->encap = sa->natt;
	memcpy(d->src_ts, inbound ? c->ts_r : c->ts_l, sizeof(d->src_ts));
	d->nb_src_ts = inbound ? c->nb_ts_r : c->nb_ts_l;
	memcpy(d->dst_ts, inbound ? c->ts_l : c->ts_r, sizeof(d->dst_ts));
	d->nb_dst_ts = inbound ? c->nb_ts_l : c->nb_ts_r;
	d->peer = sa->pc->name;
	d->child = cc->name;
}

static uint64_t
jittered(uint32_t t, uint32_t jitter)
{
	uint64_t ms = (uint64_t)t * 1000;
	uint64_t j = (uint64_t)jitter * 1000;

	if (j > 0 && j < ms)
		ms -= rnd32() % j;
	return ms;
}

static void write_keys_files(struct ss_ike *ike);

/* Derive the keys, hand both directions to the caller. 'we_init': we
 * initiated the exchange that created the child. */
static struct child *
child_install(struct ss_ike *ike, struct ike_sa *sa, uint8_t cc_idx,
	uint16_t server_id, uint32_t spi_in, uint32_t spi_out,
	const struct ike_alg *a, bool we_init, const uint8_t *g, size_t glen,
	const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
	const struct ss_ike_ts *tsl, uint8_t nl, const struct ss_ike_ts *tsr,
	uint8_t nr_ts, uint32_t replaces)
{
	const struct ss_ike_child_conf *cc = &sa->pc->child[cc_idx];
	struct ss_ike_child_sa in, out;
	struct ss_ike_child_sa *i2r, *r2i;
	uint8_t km[4 * SS_IKE_KEY_MAX];
	size_t km_len, ek, ak;
	struct child *c;
	int ret;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->cc = cc_idx;
	c->server_id = server_id;
	c->spi_in = spi_in;
	c->spi_out = spi_out;
	c->alg = *a;
	memcpy(c->ts_l, tsl, nl * sizeof(*tsl));
	c->nb_ts_l = nl;
	memcpy(c->ts_r, tsr, nr_ts * sizeof(*tsr));
	c->nb_ts_r = nr_ts;
	if (child_keymat(sa, a, g, glen, ni, ni_len, nr, nr_len, km,
		&km_len) < 0) {
		free(c);
		return NULL;
	}
	ek = ike_encr_keylen(a->encr, a->encr_bits);
	ak = ike_integ_keylen(a->integ);
	fill_dir(sa, c, cc, true, &in);
	fill_dir(sa, c, cc, false, &out);
	in.replaces_spi = replaces;
	out.replaces_spi = replaces;
	/* RFC 7296 2.8: the rekey initiator installs its new inbound SA
	 * only when our response arrives; we go on sending on the old
	 * outbound SA until it deletes the old pair */
	out.standby = replaces != 0 && !we_init;
	i2r = we_init ? &out : &in;
	r2i = we_init ? &in : &out;
	memcpy(i2r->enc_key, km, ek);
	i2r->enc_key_len = (uint8_t)ek;
	memcpy(i2r->auth_key, km + ek, ak);
	i2r->auth_key_len = (uint8_t)ak;
	memcpy(r2i->enc_key, km + ek + ak, ek);
	r2i->enc_key_len = (uint8_t)ek;
	memcpy(r2i->auth_key, km + 2 * ek + ak, ak);
	r2i->auth_key_len = (uint8_t)ak;
	if (ike->conf.save_keys[0] != '\0') {
		/* kept only for the operator's explicit key export: in, out */
		c->keymat = malloc(2 * (SS_IKE_KEY_MAX * 2));
		if (c->keymat != NULL) {
			c->keymat_len = 4 * SS_IKE_KEY_MAX;
			memcpy(c->keymat, in.enc_key, SS_IKE_KEY_MAX);
			memcpy(c->keymat + 64, in.auth_key, SS_IKE_KEY_MAX);
			memcpy(c->keymat + 128, out.enc_key, SS_IKE_KEY_MAX);
			memcpy(c->keymat + 192, out.auth_key, SS_IKE_KEY_MAX);
		}
	}
	ret = ike->ops.child_install != NULL ?
		ike->ops.child_install(ike->ctx, &in, &out) : 0;
	wipe(km, sizeof(km));
	wipe(&in, sizeof(in));
	wipe(&out, sizeof(out));
	if (ret != 0) {
		CNT(ike, child_install_failed);
		event(ike, sa, "child %s install failed (%d)", cc->name, ret);
		child_free(c);
		return NULL;
	}
	c->installed_ms = ike->now;
	c->replaces = replaces;
	if (replaces != 0 && !we_init) {
		c->standby = true;
		c->standby_ms = ike->now + SS_IKE_STANDBY_MS;
	}
	if (cc->rekey_time)
		c->rekey_ms = ike->now + jittered(cc->rekey_time, cc->jitter);
	if (cc->life_time)
		c->expire_ms = ike->now + (uint64_t)cc->life_time * 1000;
	TAILQ_INSERT_TAIL(&sa->children, c, next);
	sa->nb_children++;
	CNT(ike, child_installed);
	event(ike, sa, "child %s installed: in %08x out %08x server %u %s%s",
		cc->name, spi_in, spi_out, server_id,
		ss_ike_encr_name(a->encr, a->encr_bits),
		a->esn == SS_IKE_ESN_YES ? " esn" : "");
	if (ike->conf.save_keys[0] != '\0')
		write_keys_files(ike);
	return c;
}

/* IKE_AUTH carries no KE: its child is negotiated without DH (RFC 7296
 * 1.2), whatever the PFS setting of later CREATE_CHILD_SAs. */
static void
esp_props_no_dh(const struct ss_ike_child_conf *cc,
	struct ss_ike_proposal out[SS_IKE_MAX_PROPS])
{
	unsigned int i;

	for (i = 0; i < cc->nb_esp; i++) {
		out[i] = cc->esp[i];
		out[i].nb_dh = 0;
	}
}

/* ESP proposals of child conf with our inbound SPI. */
static void
put_child_sa(struct ike_buf *b, const struct ss_ike_child_conf *cc,
	uint32_t spi_in, uint16_t pfs_group_only)
{
	struct ike_prop props[SS_IKE_MAX_PROPS];
	uint8_t spi[4] = { spi_in >> 24, spi_in >> 16, spi_in >> 8, spi_in };
	unsigned int i;

	for (i = 0; i < cc->nb_esp; i++) {
		ike_prop_from_conf(&cc->esp[i], PROTO_ESP, i + 1, spi, 4,
			&props[i]);
		if (pfs_group_only == 0) {
			/* IKE_AUTH: no KE, so no DH transforms */
			unsigned int j, k = 0;

			for (j = 0; j < props[i].nb_xf; j++)
				if (props[i].xf[j].type != XF_DH)
					props[i].xf[k++] = props[i].xf[j];
			props[i].nb_xf = k;
		}
	}
	ike_put_sa(b, props, cc->nb_esp);
}

/* The selected transforms as a one-proposal answer. */
static void
put_chosen(struct ike_buf *b, uint8_t proto, uint8_t num, const uint8_t *spi,
	uint8_t spi_size, const struct ike_alg *a)
{
	struct ike_prop p;

	memset(&p, 0, sizeof(p));
	p.num = num;
	p.proto = proto;
	p.spi_size = spi_size;
	if (spi_size > 0)
		memcpy(p.spi, spi, spi_size);
#define ADD(t, i_, b_) do { \
		p.xf[p.nb_xf].type = (t); \
		p.xf[p.nb_xf].id = (i_); \
		p.xf[p.nb_xf].key_bits = (b_); \
		p.nb_xf++; \
	} while (0)
	ADD(XF_ENCR, a->encr, a->encr_bits);
	if (proto == PROTO_IKE)
		ADD(XF_PRF, a->prf, 0);
	if (a->integ != SS_IKE_INTEG_NONE)
		ADD(XF_INTEG, a->integ, 0);
	if (a->dh != SS_IKE_DH_NONE)
		ADD(XF_DH, a->dh, 0);
	if (proto == PROTO_ESP)
		ADD(XF_ESN, a->esn, 0);
#undef ADD
	ike_put_sa(b, &p, 1);
}

static void
put_id(struct ike_buf *b, uint8_t type, const struct ss_ike_id *id)
{
	size_t o = ike_pl_begin(b, type);

	ike_put8(b, id->type);
	ike_put8(b, 0);
	ike_put16(b, 0);
	ike_put(b, id->data, id->len);
	ike_pl_end(b, o);
}

static void
put_resource_info(struct ike_buf *b, uint16_t server_id)
{
	uint8_t d[2] = { server_id >> 8, server_id & 0xff };

	ike_put_notify(b, 0, NULL, 0, N_SA_RESOURCE_INFO, d, sizeof(d));
}

static void
put_nonce(struct ike_buf *b, uint8_t *nonce, uint16_t *len)
{
	*len = NONCE_LEN;
	ike_random(nonce, NONCE_LEN);
	ike_put_simple(b, PL_NONCE, nonce, NONCE_LEN);
}

/* ---- initiator: IKE_SA_INIT and IKE_AUTH ----------------------------- */

static int
send_init(struct ss_ike *ike, struct ike_sa *sa)
{
	struct ike_prop props[SS_IKE_MAX_PROPS];
	const struct ss_ike_peer_conf *pc = sa->pc;
	struct ike_buf b;
	const uint8_t *pub;
	size_t pub_len, o;
	unsigned int i;

	ike_buf_init(&b, sa->req, IKE_MAX_MSG);
	ike_hdr_put(&b, sa->spi_i, 0, EXCH_IKE_SA_INIT, FLAG_INITIATOR, 0);
	if (sa->cookie_len)
		ike_put_notify(&b, 0, NULL, 0, N_COOKIE, sa->cookie,
			sa->cookie_len);
	for (i = 0; i < pc->nb_ike; i++)
		ike_prop_from_conf(&pc->ike[i], PROTO_IKE, i + 1, NULL, 0,
			&props[i]);
	ike_put_sa(&b, props, pc->nb_ike);
	pub = ike_dh_pub(sa->dh, &pub_len);
	o = ike_pl_begin(&b, PL_KE);
	ike_put16(&b, sa->dh_group);
	ike_put16(&b, 0);
	ike_put(&b, pub, pub_len);
	ike_pl_end(&b, o);
	ike_put_simple(&b, PL_NONCE, sa->ni, sa->ni_len);
	put_nat_d(sa, &b, 0);
	if (ike->conf.fragmentation)
		ike_put_notify(&b, 0, NULL, 0, N_FRAGMENTATION_SUPPORTED,
			NULL, 0);
	if (pc->auth == SS_IKE_AUTH_PUBKEY)
		put_sig_hashes(&b);
	ike_hdr_finish(&b);
	if (b.err)
		return -EMSGSIZE;
	sa->req_len = b.len;
	free(sa->init_req);
	sa->init_req = malloc(b.len);
	if (sa->init_req == NULL)
		return -ENOMEM;
	memcpy(sa->init_req, sa->req, b.len);
	sa->init_req_len = b.len;
	sa->cur.type = T_INIT;
	sa->state = S_INIT_SENT;
	arm_request(ike, sa);
	return 0;
}

static int
first_child_conf(const struct ss_ike_peer_conf *pc)
{
	unsigned int i;

	for (i = 0; i < pc->nb_child; i++)
		if (pc->child[i].start != SS_IKE_START_NONE)
			return (int)i;
	return pc->nb_child > 0 ? 0 : -1;
}

static int
send_auth(struct ss_ike *ike, struct ike_sa *sa)
{
	const struct ss_ike_peer_conf *pc = sa->pc;
	const struct ike_cred *cred = sa_cred(ike, sa);
	struct ike_buf b;
	int cc = first_child_conf(pc);

	ike_buf_init(&b, ike->inner, sizeof(ike->inner));
	put_id(&b, PL_IDI, &pc->local_id);
	if (cred != NULL)
		ike_cred_put_certreq(cred, &b);
	ike_put_notify(&b, 0, NULL, 0, N_INITIAL_CONTACT, NULL, 0);
	if (pc->remote_id.type != 0)
		put_id(&b, PL_IDR, &pc->remote_id);
	if (put_auth(ike, sa, true, &b) < 0)
		return -EIO;
	sa->cur.type = T_AUTH;
	sa->x_spi_in = 0;
	if (cc >= 0) {
		const struct ss_ike_child_conf *c = &pc->child[cc];
		uint16_t id = pick_server(ike, sa, (uint8_t)cc);

		sa->cur.cc = (uint8_t)cc;
		sa->cur.server_id = id;
		sa->x_spi_in = spi_alloc(ike, id);
		if (c->transport)
			ike_put_notify(&b, 0, NULL, 0, N_USE_TRANSPORT_MODE,
				NULL, 0);
		ike_put_notify(&b, 0, NULL, 0,
			N_ESP_TFC_PADDING_NOT_SUPPORTED, NULL, 0);
		put_child_sa(&b, c, sa->x_spi_in, 0);
		ike_put_ts(&b, PL_TSI, c->local_ts, c->nb_local_ts);
		ike_put_ts(&b, PL_TSR, c->remote_ts, c->nb_remote_ts);
		if (c->per_server)
			put_resource_info(&b, id);
	}
	sa->state = S_AUTH_SENT;
	sa->my_msgid = 1;
	return sk_send(ike, sa, EXCH_IKE_AUTH, false, 1, &b);
}

static const struct ike_pl *
find_pl(const struct ike_msg *m, uint8_t type)
{
	return ike_msg_find(m, type);
}

static int
get_nonce(const struct ike_msg *m, uint8_t *out, uint16_t *len)
{
	const struct ike_pl *p = find_pl(m, PL_NONCE);

	if (p == NULL || p->len < 16 || p->len > MAX_NONCE)
		return -EBADMSG;
	memcpy(out, p->body, p->len);
	*len = p->len;
	return 0;
}

static void
establish(struct ss_ike *ike, struct ike_sa *sa)
{
	const struct ss_ike_peer_conf *pc = sa->pc;

	sa->state = S_ESTABLISHED;
	sa->established_ms = ike->now;
	if (pc->rekey_time) {
		sa->rekey_ms = ike->now + jittered(pc->rekey_time, pc->jitter);
		sa->expire_ms = ike->now +
			((uint64_t)pc->rekey_time + pc->over_time) * 1000;
	}
	if (sa->nat_here)
		sa->keepalive_ms = ike->now +
			(uint64_t)ike->conf.keepalive_interval * 1000;
	CNT(ike, ike_established);
	event(ike, sa, "IKE SA established %016" PRIx64 "_%016" PRIx64
		" %s/%s/%s%s", sa->spi_i, sa->spi_r,
		ss_ike_encr_name(sa->alg.encr, sa->alg.encr_bits),
		sa->alg.prf == SS_IKE_PRF_HMAC_SHA2_256 ? "prfsha256" :
		sa->alg.prf == SS_IKE_PRF_HMAC_SHA2_384 ? "prfsha384" :
		"prfsha512", ss_ike_dh_name(sa->alg.dh),
		sa->natt ? " NAT-T" : "");
	if (ike->conf.save_keys[0] != '\0')
		write_keys_files(ike);
}

/* Queue the per-server children the initiator owes after IKE_AUTH. */
static void
queue_initial_children(struct ss_ike *ike, struct ike_sa *sa)
{
	const struct ss_ike_peer_conf *pc = sa->pc;
	int first = first_child_conf(pc);
	unsigned int i, s;

	for (i = 0; i < pc->nb_child; i++) {
		const struct ss_ike_child_conf *cc = &pc->child[i];

		if (cc->start == SS_IKE_START_NONE && (int)i != first)
			continue;
		for (s = 0; s < RTE_MAX(ike->nb_servers, 1u); s++) {
			uint16_t id = ike->nb_servers ? ike->servers[s] : 0;
			const struct child *c;
			bool has = false;

			TAILQ_FOREACH(c, &sa->children, next)
				if (c->cc == i && c->server_id == id)
					has = true;
			if (sa->cur.type == T_AUTH && sa->cur.cc == i &&
				sa->cur.server_id == id && (int)i == first)
				has = true;
			if (!has && (cc->per_server || s == 0))
				queue_task(sa, T_CHILD_CREATE, (uint8_t)i, id,
					0);
		}
	}
}

/*
 * The peer initiated and asked for one pair of a per-server child, and did
 * not announce RFC 9611 support: every other server still needs its own
 * pair (same selectors), so create them ourselves, as the initiator would
 * (strongSwan 5.9 accepts duplicate-selector children as responder but
 * never initiates them).
 */
static void
queue_responder_children(struct ss_ike *ike, struct ike_sa *sa)
{
	const struct ss_ike_peer_conf *pc = sa->pc;
	unsigned int i, s;

	for (i = 0; i < pc->nb_child; i++) {
		const struct child *c;
		bool negotiated = false;

		if (!pc->child[i].per_server)
			continue;
		TAILQ_FOREACH(c, &sa->children, next)
			if (c->cc == i)
				negotiated = true;
		if (!negotiated)
			continue;
		for (s = 0; s < ike->nb_servers; s++) {
			const uint16_t id = ike->servers[s];
			bool has = false;

			TAILQ_FOREACH(c, &sa->children, next)
				if (c->cc == i && c->server_id == id)
					has = true;
			if (!has)
				queue_task(sa, T_CHILD_CREATE, (uint8_t)i, id, 0);
		}
	}
}

static bool
server_listed(const struct ss_ike *ike, uint16_t id)
{
	unsigned int i;

	for (i = 0; i < ike->nb_servers; i++)
		if (ike->servers[i] == id)
			return true;
	return ike->nb_servers == 0;
}

/* The peer made a pair that we do not install (see 'phantom'): delete
 * it with INFORMATIONAL so that the peer never sends on it. */
static void
child_orphan(struct ss_ike *ike, struct ike_sa *sa, uint8_t cc,
	uint16_t server_id, uint32_t spi_in, uint32_t spi_out)
{
	struct child *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return;
	c->cc = cc;
	c->server_id = server_id;
	c->spi_in = spi_in;
	c->spi_out = spi_out;
	c->state = C_REKEYED;		/* not a live pair: delete pending */
	c->phantom = true;
	TAILQ_INSERT_TAIL(&sa->children, c, next);
	sa->nb_children++;
	queue_task(sa, T_CHILD_DELETE, cc, server_id, spi_in);
	event(ike, sa, "child %s: pair in %08x out %08x for server %u not "
		"installed, deleting it", sa->pc->child[cc].name, spi_in,
		spi_out, server_id);
}

static int
process_child_response(struct ss_ike *ike, struct ike_sa *sa,
	const struct ike_msg *m, const uint8_t *g, size_t glen,
	const uint8_t *ni, size_t ni_len, uint32_t replaces);

static void
handle_init_response(struct ss_ike *ike, struct ike_sa *sa,
	const struct ike_msg *m)
{
	struct ike_notify n;
	struct ike_sa_pl sap;
	const struct ike_pl *ke, *sap_pl;
	uint8_t g[512];
	size_t glen;
	uint16_t err;
	struct ike_alg a;

	if (ike_msg_notify(m, N_COOKIE, &n)) {
		if (n.data_len < 1 || n.data_len > 64 ||
			++sa->init_retries > 3) {
			sa_destroy(ike, sa, "bad cookie exchange");
			return;
		}
		memcpy(sa->cookie, n.data, n.data_len);
		sa->cookie_len = (uint8_t)n.data_len;
		CNT(ike, cookies_used);
		send_init(ike, sa);
		return;
	}
	if (ike_msg_notify(m, N_INVALID_KE_PAYLOAD, &n)) {
		uint16_t grp;
		unsigned int i, j;
		bool ok = false;

		CNT(ike, invalid_ke_rcvd);
		if (n.data_len != 2) {
			sa_destroy(ike, sa, "bad INVALID_KE_PAYLOAD");
			return;
		}
		grp = (uint16_t)(n.data[0] << 8 | n.data[1]);
		for (i = 0; i < sa->pc->nb_ike; i++)
			for (j = 0; j < sa->pc->ike[i].nb_dh; j++)
				ok |= sa->pc->ike[i].dh[j] == grp;
		if (!ok || grp == sa->dh_group || ++sa->init_retries > 3) {
			sa_destroy(ike, sa, "INVALID_KE_PAYLOAD: no such group");
			return;
		}
		event(ike, sa, "peer wants DH group %u, retrying", grp);
		ike_dh_free(sa->dh);
		sa->dh = ike_dh_new(grp, NULL, 0);
		sa->dh_group = grp;
		if (sa->dh == NULL) {
			sa_destroy(ike, sa, "DH failed");
			return;
		}
		send_init(ike, sa);
		return;
	}
	err = ike_msg_error(m);
	if (err != 0) {
		if (err == N_NO_PROPOSAL_CHOSEN)
			CNT(ike, no_proposal_chosen);
		event(ike, sa, "IKE_SA_INIT failed: peer sent error %u", err);
		sa_destroy(ike, sa, "IKE_SA_INIT refused");
		return;
	}
	sap_pl = find_pl(m, PL_SA);
	ke = find_pl(m, PL_KE);
	if (sap_pl == NULL || ke == NULL || ke->len < 4 || m->spi_r == 0 ||
		ike_sa_decode(sap_pl, &sap) < 0 ||
		get_nonce(m, sa->nr, &sa->nr_len) < 0) {
		CNT(ike, rx_bad_payload);
		sa_destroy(ike, sa, "bad IKE_SA_INIT response");
		return;
	}
	if (ike_prop_check(&sap, PROTO_IKE, sa->pc->ike, sa->pc->nb_ike,
		&a) < 0 || a.dh != sa->dh_group ||
		(uint16_t)(ke->body[0] << 8 | ke->body[1]) != sa->dh_group) {
		CNT(ike, no_proposal_chosen);
		sa_destroy(ike, sa, "responder chose an unoffered proposal");
		return;
	}
	sa->alg = a;
	sa->spi_r = m->spi_r;
	sa->peer_sig_hashes = get_sig_hashes(m);
	sa->frag = ike->conf.fragmentation && peer_frag(m);
	if (ike_dh_shared(sa->dh, ke->body + 4, ke->len - 4, g, &glen) < 0) {
		CNT(ike, rx_bad_payload);
		sa_destroy(ike, sa, "bad KE");
		return;
	}
	if (derive_ike_keys(sa, NULL, 0, g, glen) < 0) {
		wipe(g, sizeof(g));
		sa_destroy(ike, sa, "key derivation failed");
		return;
	}
	wipe(g, sizeof(g));
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	sa->init_rsp = malloc(m->raw_len);
	if (sa->init_rsp == NULL) {
		sa_destroy(ike, sa, "no memory");
		return;
	}
	memcpy(sa->init_rsp, m->raw, m->raw_len);
	sa->init_rsp_len = m->raw_len;
	check_nat(sa, m);
	if (sa->nat_here || sa->nat_there) {
		/* RFC 7296 2.23: float to 4500 from IKE_AUTH on */
		sa->natt = true;
		sa->local.port = SS_IKE_PORT_NATT;
		sa->remote.port = SS_IKE_PORT_NATT;
	}
	sa->req_pending = false;
	if (send_auth(ike, sa) < 0) {
		CNT(ike, auth_failed);
		sa_destroy(ike, sa, "cannot authenticate to the peer");
	}
}

static bool
id_matches(const struct ss_ike_id *want, const struct ike_pl *p)
{
	if (p == NULL || p->len < 4)
		return false;
	if (want->type == 0)
		return true;
	return p->body[0] == want->type && p->len - 4u == want->len &&
		memcmp(p->body + 4, want->data, want->len) == 0;
}

static bool
auth_ok(struct ss_ike *ike, const struct ike_sa *sa, const struct ike_msg *m,
	bool initiator_side, const struct ike_pl *id, const struct ike_pl *auth)
{
	const struct ike_cred *cred = sa_cred(ike, sa);
	uint8_t want[64];
	bool ok;

	if (cred != NULL && id != NULL && auth != NULL) {
		struct ike_iov iov[3];
		char why[160];

		if (signed_octets(sa, initiator_side, id->body, id->len, want,
			iov) < 0)
			return false;
		ok = ike_cred_verify(cred, m, id, auth, iov, 3, why,
			sizeof(why)) == 0;
		wipe(want, sizeof(want));
		if (!ok) {
			CNT(ike, cert_rejected);
			event(ike, sa, "certificate authentication failed: %s",
				why);
		}
		return ok;
	}
	if (cred != NULL || id == NULL || auth == NULL ||
		auth->len != 4 + sa->prf_len ||
		auth->body[0] != AUTH_PSK)
		return false;
	if (psk_auth(sa, initiator_side, id->body, id->len, want) < 0)
		return false;
	ok = CRYPTO_memcmp(want, auth->body + 4, sa->prf_len) == 0;
	wipe(want, sizeof(want));
	return ok;
}

static void
handle_auth_response(struct ss_ike *ike, struct ike_sa *sa,
	const struct ike_msg *m)
{
	const struct ike_pl *idr = find_pl(m, PL_IDR);
	const struct ike_pl *auth = find_pl(m, PL_AUTH);
	struct ike_notify n;

	if (ike_msg_notify(m, N_AUTHENTICATION_FAILED, &n)) {
		CNT(ike, auth_failed);
		sa_destroy(ike, sa, "peer: AUTHENTICATION_FAILED");
		return;
	}
	if (!id_matches(&sa->pc->remote_id, idr) ||
		!auth_ok(ike, sa, m, false, idr, auth)) {
		CNT(ike, auth_failed);
		event(ike, sa, "responder authentication failed");
		/* RFC 7296 2.21.2: tell the peer in a new INFORMATIONAL */
		{
			struct ike_buf b;

			ike_buf_init(&b, ike->inner, sizeof(ike->inner));
			ike_put_notify(&b, 0, NULL, 0,
				N_AUTHENTICATION_FAILED, NULL, 0);
			sa->my_msgid = 2;
			sk_send(ike, sa, EXCH_INFORMATIONAL, false, 2, &b);
		}
		sa_destroy(ike, sa, "AUTHENTICATION_FAILED");
		return;
	}
	establish(ike, sa);
	if (sa->x_spi_in != 0) {
		if (process_child_response(ike, sa, m, NULL, 0, sa->ni,
			sa->ni_len, 0) < 0) {
			/* the IKE SA stays; the first child failed */
		}
	}
	queue_initial_children(ike, sa);
}

/* ---- responder: IKE_SA_INIT ------------------------------------------ */

static const struct ss_ike_peer_conf *
peer_for(const struct ss_ike *ike, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote)
{
	unsigned int i;
	const struct ss_ike_peer_conf *any = NULL;

	for (i = 0; i < ike->conf.nb_peers; i++) {
		const struct ss_ike_peer_conf *pc = &ike->conf.peer[i];

		if (pc->local.ip.family != 0 &&
			!ss_ipaddr_equal(&pc->local.ip, &local->ip))
			continue;
		if (pc->remote.ip.family == 0) {
			if (any == NULL)
				any = pc;
			continue;
		}
		if (ss_ipaddr_equal(&pc->remote.ip, &remote->ip))
			return pc;
	}
	return any;
}

static unsigned int
half_open(const struct ss_ike *ike)
{
	const struct ike_sa *sa;
	unsigned int n = 0;

	TAILQ_FOREACH(sa, &ike->sas, next)
		if (!sa->initiator && sa->state == S_INIT_RCVD)
			n++;
	return n;
}

static void
make_cookie(const struct ss_ike *ike, const struct ike_msg *m,
	const struct ss_ike_addr *remote, const uint8_t *ni, size_t ni_len,
	uint8_t out[COOKIE_LEN])
{
	uint8_t spi[8];
	struct ike_iov iov[4];
	unsigned int i;

	for (i = 0; i < 8; i++)
		spi[i] = (uint8_t)(m->spi_i >> (56 - 8 * i));
	iov[0].p = ike->cookie_secret;
	iov[0].n = sizeof(ike->cookie_secret);
	iov[1].p = ni;
	iov[1].n = ni_len;
	iov[2].p = ipbytes(&remote->ip);
	iov[2].n = alen(remote->ip.family);
	iov[3].p = spi;
	iov[3].n = 8;
	ike_sha256(iov, 4, out);
}

static void
handle_init_request(struct ss_ike *ike, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote, const struct ike_msg *m)
{
	const struct ss_ike_peer_conf *pc = peer_for(ike, local, remote);
	const struct ike_pl *sap_pl = find_pl(m, PL_SA);
	const struct ike_pl *ke = find_pl(m, PL_KE);
	uint8_t ni[MAX_NONCE], g[512], cookie[COOKIE_LEN];
	uint16_t ni_len, grp;
	struct ike_sa_pl sap;
	struct ike_alg a;
	struct ike_notify n;
	struct ike_sa *sa;
	struct ike_buf b;
	const uint8_t *pub;
	size_t pub_len, glen, o;
	int chosen;

	if (m->msgid != 0 || m->spi_r != 0) {
		CNT(ike, rx_bad_spi);
		return;
	}
	if (pc == NULL) {
		CNT(ike, rx_no_peer);
		return;
	}
	if (sap_pl == NULL || ke == NULL || ke->len < 4 ||
		ike_sa_decode(sap_pl, &sap) < 0 ||
		get_nonce(m, ni, &ni_len) < 0) {
		CNT(ike, rx_bad_payload);
		send_init_error(ike, local, remote, m, N_INVALID_SYNTAX, NULL,
			0);
		return;
	}
	if (half_open(ike) >= ike->conf.cookie_threshold) {
		make_cookie(ike, m, remote, ni, ni_len, cookie);
		if (!ike_msg_notify(m, N_COOKIE, &n) ||
			n.data_len != COOKIE_LEN ||
			CRYPTO_memcmp(n.data, cookie, COOKIE_LEN) != 0) {
			if (ike_msg_notify(m, N_COOKIE, &n))
				CNT(ike, cookies_bad);
			CNT(ike, cookies_sent);
			send_init_error(ike, local, remote, m, N_COOKIE,
				cookie, COOKIE_LEN);
			return;
		}
	}
	if (ike_prop_select(&sap, PROTO_IKE, pc->ike, pc->nb_ike, &a,
		&chosen) < 0) {
		CNT(ike, no_proposal_chosen);
		send_init_error(ike, local, remote, m, N_NO_PROPOSAL_CHOSEN,
			NULL, 0);
		return;
	}
	grp = (uint16_t)(ke->body[0] << 8 | ke->body[1]);
	if (grp != a.dh) {
		uint8_t d[2] = { a.dh >> 8, a.dh & 0xff };

		CNT(ike, invalid_ke_sent);
		send_init_error(ike, local, remote, m, N_INVALID_KE_PAYLOAD, d,
			2);
		return;
	}
	sa = sa_new(ike, pc, false);
	if (sa == NULL)
		return;
	sa->local = *local;
	sa->remote = *remote;
	sa->natt = local->port == SS_IKE_PORT_NATT;
	sa->alg = a;
	sa->spi_i = m->spi_i;
	sa->spi_r = rnd64_nz();
	sa->state = S_INIT_RCVD;
	memcpy(sa->ni, ni, ni_len);
	sa->ni_len = ni_len;
	sa->nr_len = NONCE_LEN;
	ike_random(sa->nr, NONCE_LEN);
	sa->dh = ike_dh_new(a.dh, NULL, 0);
	if (sa->dh == NULL ||
		ike_dh_shared(sa->dh, ke->body + 4, ke->len - 4, g,
			&glen) < 0) {
		CNT(ike, rx_bad_payload);
		send_init_error(ike, local, remote, m, N_INVALID_SYNTAX, NULL,
			0);
		sa_destroy(ike, sa, "bad KE");
		return;
	}
	if (derive_ike_keys(sa, NULL, 0, g, glen) < 0) {
		wipe(g, sizeof(g));
		sa_destroy(ike, sa, "key derivation failed");
		return;
	}
	wipe(g, sizeof(g));
	check_nat(sa, m);
	ike_buf_init(&b, sa->rsp, IKE_MAX_MSG);
	ike_hdr_put(&b, sa->spi_i, sa->spi_r, EXCH_IKE_SA_INIT, FLAG_RESPONSE,
		0);
	put_chosen(&b, PROTO_IKE, sap.prop[chosen].num, NULL, 0, &a);
	pub = ike_dh_pub(sa->dh, &pub_len);
	o = ike_pl_begin(&b, PL_KE);
	ike_put16(&b, a.dh);
	ike_put16(&b, 0);
	ike_put(&b, pub, pub_len);
	ike_pl_end(&b, o);
	ike_put_simple(&b, PL_NONCE, sa->nr, sa->nr_len);
	put_nat_d(sa, &b, sa->spi_r);
	/* RFC 7383 2.3: announced in the response only if in the request */
	sa->frag = ike->conf.fragmentation && peer_frag(m);
	if (sa->frag)
		ike_put_notify(&b, 0, NULL, 0, N_FRAGMENTATION_SUPPORTED,
			NULL, 0);
	sa->peer_sig_hashes = get_sig_hashes(m);
	if (sa_cred(ike, sa) != NULL) {
		ike_cred_put_certreq(sa_cred(ike, sa), &b);
		if (sa->peer_sig_hashes != 0)
			put_sig_hashes(&b);
	}
	ike_hdr_finish(&b);
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	sa->init_req = malloc(m->raw_len);
	sa->init_rsp = malloc(b.len);
	if (b.err || sa->init_req == NULL || sa->init_rsp == NULL) {
		sa_destroy(ike, sa, "no memory");
		return;
	}
	memcpy(sa->init_req, m->raw, m->raw_len);
	sa->init_req_len = m->raw_len;
	memcpy(sa->init_rsp, b.p, b.len);
	sa->init_rsp_len = b.len;
	sa->rsp_len = b.len;
	sa->rsp_valid = true;
	sa->peer_msgid = 1;
	send_raw(ike, &sa->local, &sa->remote, sa->rsp, sa->rsp_len);
	event(ike, sa, "IKE_SA_INIT from peer, responding");
}

/* ---- responder: children --------------------------------------------- */

/* Build the child part of a response (SA, TS; Nr and KE for
 * CREATE_CHILD_SA) or an error notify. Returns the installed child or
 * NULL (error already in b). */
static struct child *
respond_child(struct ss_ike *ike, struct ike_sa *sa, const struct ike_msg *m,
	struct ike_buf *b, bool create_child, uint32_t replaces_out)
{
	const struct ike_pl *sap_pl = find_pl(m, PL_SA);
	const struct ike_pl *tsi_pl = find_pl(m, PL_TSI);
	const struct ike_pl *tsr_pl = find_pl(m, PL_TSR);
	const struct ike_pl *ke = find_pl(m, PL_KE);
	struct ss_ike_ts tsi[SS_IKE_MAX_TS], tsr[SS_IKE_MAX_TS];
	struct ss_ike_ts ni_ts[SS_IKE_MAX_TS], nr_ts[SS_IKE_MAX_TS];
	uint8_t nb_tsi = 0, nb_tsr = 0, nni = 0, nnr = 0;
	uint8_t ni[MAX_NONCE], nr[MAX_NONCE], g[512], spi[4];
	uint16_t ni_len = 0, nr_len = 0;
	struct ike_sa_pl sap;
	struct ike_alg a;
	struct ike_notify n;
	struct child *c = NULL, *old = NULL;
	struct ike_dh *dh = NULL;
	size_t glen = 0;
	uint32_t spi_out, spi_in;
	uint16_t server_id;
	int chosen, cci = -1, ret;
	unsigned int i;
	bool transport = ike_msg_notify(m, N_USE_TRANSPORT_MODE, &n);

	if (sap_pl == NULL || tsi_pl == NULL || tsr_pl == NULL ||
		ike_sa_decode(sap_pl, &sap) < 0 ||
		ike_ts_decode(tsi_pl, tsi, SS_IKE_MAX_TS, &nb_tsi) < 0 ||
		ike_ts_decode(tsr_pl, tsr, SS_IKE_MAX_TS, &nb_tsr) < 0 ||
		(create_child && get_nonce(m, ni, &ni_len) < 0)) {
		CNT(ike, rx_bad_payload);
		ike_put_notify(b, 0, NULL, 0, N_INVALID_SYNTAX, NULL, 0);
		return NULL;
	}
	if (replaces_out != 0) {
		old = child_by_out(sa, replaces_out);
		if (old == NULL || old->state == C_DELETING) {
			uint8_t s[4] = { replaces_out >> 24,
				replaces_out >> 16, replaces_out >> 8,
				replaces_out };

			ike_put_notify(b, PROTO_ESP, s, 4,
				N_CHILD_SA_NOT_FOUND, NULL, 0);
			return NULL;
		}
	}
	/* the first child conf whose selectors narrow to something */
	for (i = 0; i < sa->pc->nb_child; i++) {
		const struct ss_ike_child_conf *cc = &sa->pc->child[i];

		if (old != NULL && old->cc != i)
			continue;
		if (cc->transport != transport)
			continue;
		nni = ts_narrow(tsi, nb_tsi, cc->remote_ts, cc->nb_remote_ts,
			ni_ts);
		nnr = ts_narrow(tsr, nb_tsr, cc->local_ts, cc->nb_local_ts,
			nr_ts);
		if (nni > 0 && nnr > 0) {
			cci = (int)i;
			break;
		}
	}
	if (cci < 0) {
		CNT(ike, ts_unacceptable);
		event(ike, sa, "child refused: TS_UNACCEPTABLE");
		ike_put_notify(b, 0, NULL, 0, N_TS_UNACCEPTABLE, NULL, 0);
		return NULL;
	}
	if (old == NULL && sa->pc->child[cci].max_pairs != 0) {
		const struct child *x;
		unsigned int n = 0;

		TAILQ_FOREACH(x, &sa->children, next)
			if (x->cc == cci && x->state != C_REKEYED &&
				x->state != C_DELETING)
				n++;
		if (n >= sa->pc->child[cci].max_pairs) {
			/* RFC 9611: no more per-resource SAs for these TS */
			CNT(ike, ts_max_queue);
			ike_put_notify(b, 0, NULL, 0, N_TS_MAX_QUEUE, NULL, 0);
			return NULL;
		}
	}
	{
		struct ss_ike_proposal nodh[SS_IKE_MAX_PROPS];

		esp_props_no_dh(&sa->pc->child[cci], nodh);
		ret = ike_prop_select(&sap, PROTO_ESP, create_child ?
			sa->pc->child[cci].esp : nodh,
			sa->pc->child[cci].nb_esp, &a, &chosen);
	}
	if (ret < 0 || (!create_child && a.dh != SS_IKE_DH_NONE)) {
		CNT(ike, no_proposal_chosen);
		event(ike, sa, "child refused: NO_PROPOSAL_CHOSEN");
		ike_put_notify(b, 0, NULL, 0, N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return NULL;
	}
	if (create_child && a.dh != SS_IKE_DH_NONE) {
		uint16_t grp = ke != NULL && ke->len >= 4 ?
			(uint16_t)(ke->body[0] << 8 | ke->body[1]) : 0;

		if (grp != a.dh) {
			uint8_t d[2] = { a.dh >> 8, a.dh & 0xff };

			CNT(ike, invalid_ke_sent);
			ike_put_notify(b, 0, NULL, 0, N_INVALID_KE_PAYLOAD, d,
				2);
			return NULL;
		}
		dh = ike_dh_new(a.dh, NULL, 0);
		if (dh == NULL || ike_dh_shared(dh, ke->body + 4, ke->len - 4,
			g, &glen) < 0) {
			ike_dh_free(dh);
			ike_put_notify(b, 0, NULL, 0, N_INVALID_SYNTAX, NULL,
				0);
			return NULL;
		}
	}
	spi_out = (uint32_t)sap.prop[chosen].spi[0] << 24 |
		(uint32_t)sap.prop[chosen].spi[1] << 16 |
		(uint32_t)sap.prop[chosen].spi[2] << 8 |
		sap.prop[chosen].spi[3];
	server_id = old != NULL ? old->server_id :
		pick_server(ike, sa, (uint8_t)cci);
	spi_in = spi_alloc(ike, server_id);
	spi[0] = spi_in >> 24;
	spi[1] = spi_in >> 16;
	spi[2] = spi_in >> 8;
	spi[3] = spi_in;
	if (create_child) {
		nr_len = NONCE_LEN;
		ike_random(nr, NONCE_LEN);
	}
	c = child_install(ike, sa, (uint8_t)cci, server_id, spi_in, spi_out,
		&a, false, g, glen, create_child ? ni : sa->ni,
		create_child ? ni_len : sa->ni_len,
		create_child ? nr : sa->nr, create_child ? nr_len : sa->nr_len,
		nr_ts, nnr, ni_ts, nni, old != NULL ? old->spi_in : 0);
	wipe(g, sizeof(g));
	if (c == NULL) {
		ike_dh_free(dh);
		ike_put_notify(b, 0, NULL, 0, N_NO_ADDITIONAL_SAS, NULL, 0);
		return NULL;
	}
	if (transport)
		ike_put_notify(b, 0, NULL, 0, N_USE_TRANSPORT_MODE, NULL, 0);
	put_chosen(b, PROTO_ESP, sap.prop[chosen].num, spi, 4, &a);
	if (create_child) {
		ike_put_simple(b, PL_NONCE, nr, nr_len);
		if (dh != NULL) {
			const uint8_t *pub;
			size_t pl, o;

			pub = ike_dh_pub(dh, &pl);
			o = ike_pl_begin(b, PL_KE);
			ike_put16(b, a.dh);
			ike_put16(b, 0);
			ike_put(b, pub, pl);
			ike_pl_end(b, o);
		}
	}
	ike_dh_free(dh);
	ike_put_ts(b, PL_TSI, ni_ts, nni);
	ike_put_ts(b, PL_TSR, nr_ts, nnr);
	if (old != NULL) {
		/* rekey collision: our own rekey of 'old' is outstanding */
		if (sa->req_pending && sa->cur.type == T_CHILD_REKEY &&
			sa->cur.spi_in == old->spi_in) {
			const uint8_t *lo = memcmp(ni, nr, NONCE_LEN) < 0 ?
				ni : nr;

			CNT(ike, rekey_collisions);
			old->collision = true;
			memcpy(old->coll_nonce, lo, NONCE_LEN);
			old->coll_nonce_len = NONCE_LEN;
			old->coll_spi_in = spi_in;
		} else {
			old->state = C_REKEYED;
		}
		CNT(ike, child_rekeyed);
	}
	return c;
}

static void
handle_auth_request(struct ss_ike *ike, struct ike_sa *sa,
	const struct ike_msg *m)
{
	const struct ss_ike_peer_conf *pc = sa->pc;
	const struct ike_pl *idi = find_pl(m, PL_IDI);
	const struct ike_pl *auth = find_pl(m, PL_AUTH);
	struct ike_notify n;
	struct ike_buf b;
	struct ike_sa *other, *tmp;

	ike_buf_init(&b, ike->inner, sizeof(ike->inner));
	if (sa->state != S_INIT_RCVD) {
		CNT(ike, rx_unexpected);
		return;
	}
	if (!id_matches(&pc->remote_id, idi) ||
		!auth_ok(ike, sa, m, true, idi, auth)) {
		CNT(ike, auth_failed);
		event(ike, sa, "initiator authentication failed");
		ike_put_notify(&b, 0, NULL, 0, N_AUTHENTICATION_FAILED, NULL,
			0);
		sk_send(ike, sa, EXCH_IKE_AUTH, true, m->msgid, &b);
		sa->state = S_DEAD;
		sa_destroy(ike, sa, "AUTHENTICATION_FAILED");
		return;
	}
	put_id(&b, PL_IDR, &pc->local_id);
	if (put_auth(ike, sa, false, &b) < 0)
		return;
	sa->initial_contact = ike_msg_notify(m, N_INITIAL_CONTACT, &n);
	if (sa->initial_contact) {
		/* the peer forgot everything: old SAs with it are stale */
		TAILQ_FOREACH_SAFE(other, &ike->sas, next, tmp) {
			/* the same authenticated identity: a configured
			 * remote_id; for "any", the same address too */
			if (other == sa || other->pc != pc ||
				(pc->remote_id.type == 0 &&
				 !ss_ipaddr_equal(&other->remote.ip,
					&sa->remote.ip)))
				continue;
			CNT(ike, peer_restart);
			sa_destroy(ike, other, "peer restarted (INITIAL_CONTACT)");
		}
	}
	establish(ike, sa);
	if (find_pl(m, PL_SA) != NULL)
		respond_child(ike, sa, m, &b, false, 0);
	sk_send(ike, sa, EXCH_IKE_AUTH, true, m->msgid, &b);
	/* An RFC 9611 peer says so with SA_RESOURCE_INFO and creates its
	 * per-resource children itself; for any other, we do it. */
	if (!ike_msg_notify(m, N_SA_RESOURCE_INFO, &n))
		queue_responder_children(ike, sa);
}

/* ---- CREATE_CHILD_SA and INFORMATIONAL -------------------------------- */

static void start_next_task(struct ss_ike *ike, struct ike_sa *sa);

static int
send_child_create(struct ss_ike *ike, struct ike_sa *sa, const struct task *t)
{
	const struct ss_ike_child_conf *cc = &sa->pc->child[t->cc];
	struct ike_buf b;
	uint16_t grp = cc->nb_esp && cc->esp[0].nb_dh ? cc->esp[0].dh[0] : 0;
	struct child *old = NULL;

	if (t->type == T_CHILD_REKEY) {
		old = child_by_in(sa, t->spi_in);
		if (old == NULL || old->state != C_INSTALLED)
			return -ENOENT;
		old->state = C_REKEYING;
	}
	ike_buf_init(&b, ike->inner, sizeof(ike->inner));
	sa->cur = *t;
	sa->x_spi_in = spi_alloc(ike, t->server_id);
	if (old != NULL) {
		uint8_t s[4] = { old->spi_in >> 24, old->spi_in >> 16,
			old->spi_in >> 8, old->spi_in };

		ike_put_notify(&b, PROTO_ESP, s, 4, N_REKEY_SA, NULL, 0);
	}
	if (cc->transport)
		ike_put_notify(&b, 0, NULL, 0, N_USE_TRANSPORT_MODE, NULL, 0);
	put_child_sa(&b, cc, sa->x_spi_in, grp);
	put_nonce(&b, sa->x_nonce, &sa->x_nonce_len);
	ike_dh_free(sa->x_dh);
	sa->x_dh = NULL;
	if (grp != 0) {
		const uint8_t *pub;
		size_t pl, o;

		sa->x_dh = ike_dh_new(grp, NULL, 0);
		if (sa->x_dh == NULL)
			return -ENOMEM;
		pub = ike_dh_pub(sa->x_dh, &pl);
		o = ike_pl_begin(&b, PL_KE);
		ike_put16(&b, grp);
		ike_put16(&b, 0);
		ike_put(&b, pub, pl);
		ike_pl_end(&b, o);
	}
	ike_put_ts(&b, PL_TSI, cc->local_ts, cc->nb_local_ts);
	ike_put_ts(&b, PL_TSR, cc->remote_ts, cc->nb_remote_ts);
	if (cc->per_server)
		put_resource_info(&b, t->server_id);
	return sk_send(ike, sa, EXCH_CREATE_CHILD_SA, false, sa->my_msgid, &b);
}

static int
send_ike_rekey(struct ss_ike *ike, struct ike_sa *sa)
{
	struct ike_prop props[SS_IKE_MAX_PROPS];
	const struct ss_ike_peer_conf *pc = sa->pc;
	struct ike_buf b;
	uint8_t spi[8];
	const uint8_t *pub;
	size_t pl, o;
	unsigned int i;

	sa->x_new_spi = rnd64_nz();
	for (i = 0; i < 8; i++)
		spi[i] = (uint8_t)(sa->x_new_spi >> (56 - 8 * i));
	ike_buf_init(&b, ike->inner, sizeof(ike->inner));
	for (i = 0; i < pc->nb_ike; i++)
		ike_prop_from_conf(&pc->ike[i], PROTO_IKE, i + 1, spi, 8,
			&props[i]);
	ike_put_sa(&b, props, pc->nb_ike);
	put_nonce(&b, sa->x_nonce, &sa->x_nonce_len);
	ike_dh_free(sa->x_dh);
	/* the current group: it is known to be acceptable */
	sa->x_dh = ike_dh_new(sa->alg.dh, NULL, 0);
	if (sa->x_dh == NULL)
		return -ENOMEM;
	pub = ike_dh_pub(sa->x_dh, &pl);
	o = ike_pl_begin(&b, PL_KE);
	ike_put16(&b, sa->alg.dh);
	ike_put16(&b, 0);
	ike_put(&b, pub, pl);
	ike_pl_end(&b, o);
	return sk_send(ike, sa, EXCH_CREATE_CHILD_SA, false, sa->my_msgid, &b);
}

/* The peer's new IKE SA of a simultaneous rekey that is not resolved yet
 * (it may be the redundant one): no exchange starts on it until then. */
static bool
coll_pending(const struct ss_ike *ike, const struct ike_sa *sa)
{
	const struct ike_sa *o;

	TAILQ_FOREACH(o, &ike->sas, next)
		if (o->coll_uid == sa->uid)
			return true;
	return false;
}

static void
start_next_task(struct ss_ike *ike, struct ike_sa *sa)
{
	if (sa->state == S_ESTABLISHED && coll_pending(ike, sa))
		return;
	/* a deleting SA only sends its own Delete */
	while (!sa->req_pending && sa->q_len > 0 &&
		(sa->state == S_ESTABLISHED ||
		 (sa->state == S_DELETING &&
		  sa->q[sa->q_head].type == T_IKE_DELETE))) {
		struct task t = sa->q[sa->q_head];
		struct ike_buf b;
		struct child *c;
		int ret = 0;

		sa->q_head = (sa->q_head + 1) % QUEUE_LEN;
		sa->q_len--;
		sa->cur = t;
		switch (t.type) {
		case T_CHILD_CREATE:
			if (sa->ts_max_queue && sa->pc->child[t.cc].per_server) {
				ret = -ENOSPC;
				break;
			}
			ret = send_child_create(ike, sa, &t);
			break;
		case T_CHILD_REKEY:
			ret = send_child_create(ike, sa, &t);
			break;
		case T_CHILD_DELETE:
			c = child_by_in(sa, t.spi_in);
			if (c == NULL) {
				ret = -ENOENT;
				break;
			}
			c->state = C_DELETING;
			ike_buf_init(&b, ike->inner, sizeof(ike->inner));
			{
				size_t o = ike_pl_begin(&b, PL_DELETE);

				ike_put8(&b, PROTO_ESP);
				ike_put8(&b, 4);
				ike_put16(&b, 1);
				ike_put32(&b, c->spi_in);
				ike_pl_end(&b, o);
			}
			ret = sk_send(ike, sa, EXCH_INFORMATIONAL, false,
				sa->my_msgid, &b);
			break;
		case T_IKE_REKEY:
			ret = send_ike_rekey(ike, sa);
			break;
		case T_IKE_DELETE:
			ike_buf_init(&b, ike->inner, sizeof(ike->inner));
			{
				size_t o = ike_pl_begin(&b, PL_DELETE);

				ike_put8(&b, PROTO_IKE);
				ike_put8(&b, 0);
				ike_put16(&b, 0);
				ike_pl_end(&b, o);
			}
			sa->state = S_DELETING;
			ret = sk_send(ike, sa, EXCH_INFORMATIONAL, false,
				sa->my_msgid, &b);
			break;
		case T_DPD:
			ike_buf_init(&b, ike->inner, sizeof(ike->inner));
			CNT(ike, dpd_sent);
			ret = sk_send(ike, sa, EXCH_INFORMATIONAL, false,
				sa->my_msgid, &b);
			break;
		default:
			ret = -EINVAL;
		}
		if (ret < 0)
			sa->cur.type = T_NONE;
	}
}

/* Our CREATE_CHILD_SA (new or rekey) was answered. */
static int
process_child_response(struct ss_ike *ike, struct ike_sa *sa,
	const struct ike_msg *m, const uint8_t *g, size_t glen,
	const uint8_t *ni, size_t ni_len, uint32_t replaces)
{
	const struct ss_ike_child_conf *cc = &sa->pc->child[sa->cur.cc];
	const struct ike_pl *sap_pl = find_pl(m, PL_SA);
	const struct ike_pl *tsi_pl = find_pl(m, PL_TSI);
	const struct ike_pl *tsr_pl = find_pl(m, PL_TSR);
	struct ss_ike_ts tsi[SS_IKE_MAX_TS], tsr[SS_IKE_MAX_TS];
	uint8_t nb_tsi = 0, nb_tsr = 0, nr[MAX_NONCE];
	uint16_t nr_len;
	struct ike_sa_pl sap;
	struct ike_alg a;
	struct ike_notify n;
	uint16_t err = ike_msg_error(m);
	uint32_t spi_out;
	struct ss_ike_proposal nodh[SS_IKE_MAX_PROPS];
	if (err != 0) {
		switch (err) {
		case N_TS_UNACCEPTABLE:
			CNT(ike, ts_unacceptable);
			break;
		case N_NO_PROPOSAL_CHOSEN:
			CNT(ike, no_proposal_chosen);
			break;
		case N_TS_MAX_QUEUE:
			/* RFC 9611: the peer takes no more per-resource SAs
			 * for these selectors */
			CNT(ike, ts_max_queue);
			sa->ts_max_queue = true;
			break;
		}
		event(ike, sa, "child %s for server %u refused: error %u",
			cc->name, sa->cur.server_id, err);
		return -EPERM;
	}
	if (sap_pl == NULL || tsi_pl == NULL || tsr_pl == NULL ||
		ike_sa_decode(sap_pl, &sap) < 0 ||
		ike_ts_decode(tsi_pl, tsi, SS_IKE_MAX_TS, &nb_tsi) < 0 ||
		ike_ts_decode(tsr_pl, tsr, SS_IKE_MAX_TS, &nb_tsr) < 0) {
		CNT(ike, rx_bad_payload);
		return -EBADMSG;
	}
	esp_props_no_dh(cc, nodh);
	if (ike_prop_check(&sap, PROTO_ESP, g == NULL ? nodh : cc->esp,
		cc->nb_esp, &a) < 0 || sap.prop[0].spi_size != 4 ||
		(g == NULL && a.dh != SS_IKE_DH_NONE)) {
		CNT(ike, no_proposal_chosen);
		event(ike, sa, "child %s: unoffered proposal", cc->name);
		return -EBADMSG;
	}
	if (!ts_subset(tsi, nb_tsi, cc->local_ts, cc->nb_local_ts) ||
		!ts_subset(tsr, nb_tsr, cc->remote_ts, cc->nb_remote_ts)) {
		CNT(ike, ts_unacceptable);
		event(ike, sa, "child %s: selectors wider than offered",
			cc->name);
		return -EBADMSG;
	}
	if (cc->transport != ike_msg_notify(m, N_USE_TRANSPORT_MODE, &n)) {
		event(ike, sa, "child %s: mode mismatch", cc->name);
		return -EBADMSG;
	}
	spi_out = (uint32_t)sap.prop[0].spi[0] << 24 |
		(uint32_t)sap.prop[0].spi[1] << 16 |
		(uint32_t)sap.prop[0].spi[2] << 8 | sap.prop[0].spi[3];
	if (m->exch == EXCH_IKE_AUTH) {
		memcpy(nr, sa->nr, sa->nr_len);
		nr_len = sa->nr_len;
	} else if (get_nonce(m, nr, &nr_len) < 0) {
		CNT(ike, rx_bad_payload);
		return -EBADMSG;
	}
	if (!server_listed(ike, sa->cur.server_id)) {
		/* ss_ike_server_del while the exchange ran */
		child_orphan(ike, sa, sa->cur.cc, sa->cur.server_id,
			sa->x_spi_in, spi_out);
		return -ENOENT;
	}
	if (child_install(ike, sa, sa->cur.cc, sa->cur.server_id,
		sa->x_spi_in, spi_out, &a, true, g, glen, ni, ni_len, nr,
		nr_len, tsi, nb_tsi, tsr, nb_tsr, replaces) == NULL) {
		child_orphan(ike, sa, sa->cur.cc, sa->cur.server_id,
			sa->x_spi_in, spi_out);
		return -EIO;
	}
	if (replaces != 0) {
		struct child *old = child_by_in(sa, replaces);

		CNT(ike, child_rekeyed);
		if (old != NULL && old->collision) {
			/* RFC 7296 2.8.1: the SA with the lowest nonce
			 * is redundant, its creator deletes it */
			const uint8_t *mine = memcmp(ni, nr, NONCE_LEN) < 0 ?
				ni : nr;

			if (memcmp(mine, old->coll_nonce, NONCE_LEN) < 0) {
				queue_task(sa, T_CHILD_DELETE, old->cc,
					old->server_id, sa->x_spi_in);
				old->state = C_REKEYED;
			} else {
				struct child *r = child_by_in(sa,
					old->coll_spi_in);

				/* the peer's SA is the redundant one: it
				 * deletes it, we never send on it */
				if (r != NULL) {
					r->replaces = 0;
					r->standby_ms = 0;
				}
				queue_task(sa, T_CHILD_DELETE, old->cc,
					old->server_id, old->spi_in);
			}
		} else if (old != NULL) {
			/* make before break: the new pair is installed */
			old->state = C_REKEYED;
			queue_task(sa, T_CHILD_DELETE, old->cc,
				old->server_id, old->spi_in);
		}
	}
	return 0;
}

/* RFC 7296 2.8.2 compares nonces as byte strings. */
static bool
nonce_lt(const uint8_t *a, uint16_t alen, const uint8_t *b, uint16_t blen)
{
	int c = memcmp(a, b, RTE_MIN(alen, blen));

	return c < 0 || (c == 0 && alen < blen);
}

static struct ike_sa *
sa_by_uid(const struct ss_ike *ike, uint32_t uid)
{
	struct ike_sa *sa;

	TAILQ_FOREACH(sa, &ike->sas, next)
		if (sa->uid == uid)
			return sa;
	return NULL;
}

/* The children of 'from', retired ones too, move to 'to'. */
static void
children_take(struct ike_sa *to, struct ike_sa *from)
{
	struct child *c;

	while ((c = TAILQ_FIRST(&from->children)) != NULL) {
		TAILQ_REMOVE(&from->children, c, next);
		from->nb_children--;
		TAILQ_INSERT_TAIL(&to->children, c, next);
		to->nb_children++;
	}
	while ((c = TAILQ_FIRST(&from->retired)) != NULL) {
		TAILQ_REMOVE(&from->retired, c, next);
		TAILQ_INSERT_TAIL(&to->retired, c, next);
	}
}

/* Children and pending work of 'from' move to 'to'. */
static void
children_move(struct ike_sa *to, struct ike_sa *from)
{
	children_take(to, from);
	while (from->q_len > 0 && to->q_len < QUEUE_LEN) {
		to->q[(to->q_head + to->q_len) % QUEUE_LEN] =
			from->q[from->q_head];
		to->q_len++;
		from->q_head = (from->q_head + 1) % QUEUE_LEN;
		from->q_len--;
	}
	from->q_len = 0;
}

/* A rekeyed IKE SA: new SPIs and keys, children move over. */
static struct ike_sa *
ike_rekey_make(struct ss_ike *ike, struct ike_sa *old, bool we_init,
	uint64_t spi_i, uint64_t spi_r, const struct ike_alg *a,
	const uint8_t *ni, uint16_t ni_len, const uint8_t *nr, uint16_t nr_len,
	const uint8_t *g, size_t glen)
{
	struct ike_sa *sa = sa_new(ike, old->pc, we_init);

	if (sa == NULL)
		return NULL;
	sa->local = old->local;
	sa->remote = old->remote;
	sa->natt = old->natt;
	sa->frag = old->frag;
	sa->nat_here = old->nat_here;
	sa->nat_there = old->nat_there;
	sa->alg = *a;
	sa->spi_i = spi_i;
	sa->spi_r = spi_r;
	memcpy(sa->ni, ni, ni_len);
	sa->ni_len = ni_len;
	memcpy(sa->nr, nr, nr_len);
	sa->nr_len = nr_len;
	if (derive_ike_keys(sa, old->sk_d, old->prf_len, g, glen) < 0) {
		sa_destroy(ike, sa, "rekey derivation failed");
		return NULL;
	}
	sa->rr = old->rr;
	sa->ts_max_queue = old->ts_max_queue;
	children_take(sa, old);
	sa->state = S_ESTABLISHED;
	sa->established_ms = ike->now;
	if (sa->pc->rekey_time) {
		sa->rekey_ms = ike->now +
			jittered(sa->pc->rekey_time, sa->pc->jitter);
		sa->expire_ms = ike->now + ((uint64_t)sa->pc->rekey_time +
			sa->pc->over_time) * 1000;
	}
	if (sa->nat_here)
		sa->keepalive_ms = ike->now +
			(uint64_t)ike->conf.keepalive_interval * 1000;
	/* pending work moves with the children */
	memcpy(sa->q, old->q, sizeof(sa->q));
	sa->q_head = old->q_head;
	sa->q_len = old->q_len;
	old->q_len = 0;
	CNT(ike, ike_rekeyed);
	event(ike, sa, "IKE SA rekeyed: %016" PRIx64 "_%016" PRIx64
		" replaces %016" PRIx64 "_%016" PRIx64, spi_i, spi_r,
		old->spi_i, old->spi_r);
	if (ike->conf.save_keys[0] != '\0')
		write_keys_files(ike);
	return sa;
}

static void
handle_create_child_response(struct ss_ike *ike, struct ike_sa *sa,
	const struct ike_msg *m)
{
	const struct ike_pl *ke = find_pl(m, PL_KE);
	uint8_t g[512];
	size_t glen = 0;
	uint16_t err = ike_msg_error(m);

	if (sa->cur.type == T_IKE_REKEY) {
		const struct ike_pl *sap_pl = find_pl(m, PL_SA);
		struct ike_sa_pl sap;
		struct ike_alg a;
		uint8_t nr[MAX_NONCE];
		uint16_t nr_len;
		uint64_t spi_r = 0;
		struct ike_sa *nsa;
		unsigned int i;

		sa->rekey_queued = false;
		if (err != 0 || sap_pl == NULL || ke == NULL || ke->len < 4 ||
			ike_sa_decode(sap_pl, &sap) < 0 ||
			ike_prop_check(&sap, PROTO_IKE, sa->pc->ike,
				sa->pc->nb_ike, &a) < 0 ||
			sap.prop[0].spi_size != 8 ||
			a.dh != sa->alg.dh ||
			get_nonce(m, nr, &nr_len) < 0 ||
			ike_dh_shared(sa->x_dh, ke->body + 4, ke->len - 4, g,
				&glen) < 0) {
			event(ike, sa, "IKE rekey failed (error %u)", err);
			/* retry later; the jitter breaks repeated collisions
			 * (we answer a simultaneous rekey TEMPORARY_FAILURE) */
			sa->rekey_ms = ike->now + 5000 + rnd32() % 10000;
			return;
		}
		for (i = 0; i < 8; i++)
			spi_r = spi_r << 8 | sap.prop[0].spi[i];
		nsa = ike_rekey_make(ike, sa, true, sa->x_new_spi, spi_r, &a,
			sa->x_nonce, sa->x_nonce_len, nr, nr_len, g, glen);
		wipe(g, sizeof(g));
		if (nsa == NULL)
			return;
		if (sa->coll_uid != 0) {
			/* RFC 7296 2.8.2: both rekeyed; the new SA of the
			 * exchange with the lowest nonce is redundant and its
			 * initiator deletes it; the initiator of the other
			 * deletes the old SA */
			struct ike_sa *psa = sa_by_uid(ike, sa->coll_uid);
			const bool i_lo = nonce_lt(sa->x_nonce,
				sa->x_nonce_len, nr, nr_len);
			const uint8_t *mine = i_lo ? sa->x_nonce : nr;
			const uint16_t mine_len = i_lo ? sa->x_nonce_len :
				nr_len;

			sa->coll_uid = 0;
			if (psa != NULL && nonce_lt(mine, mine_len,
				sa->coll_nonce, sa->coll_nonce_len)) {
				event(ike, nsa, "simultaneous IKE rekey: ours "
					"is redundant, deleting it");
				children_move(psa, nsa);
				queue_task(nsa, T_IKE_DELETE, 0, 0, 0);
				nsa->state = S_DELETING;
				start_next_task(ike, nsa);
				start_next_task(ike, psa);
				return;
			}
			if (psa != NULL) {
				event(ike, nsa, "simultaneous IKE rekey: the "
					"peer's is redundant, ours stays");
				children_move(nsa, psa);
				/* the peer deletes it */
				psa->state = S_DELETING;
				psa->delete_by_ms = ike->now +
					REDUNDANT_WAIT_MS;
			}
		}
		/* delete the old IKE SA (its children moved) */
		sa->q_len = 0;
		queue_task(sa, T_IKE_DELETE, 0, 0, 0);
		sa->state = S_DELETING;
		start_next_task(ike, nsa);
		return;
	}
	if (sa->x_dh != NULL) {
		if (err == 0 && (ke == NULL || ke->len < 4 ||
			ike_dh_shared(sa->x_dh, ke->body + 4, ke->len - 4, g,
				&glen) < 0)) {
			CNT(ike, rx_bad_payload);
			return;
		}
	}
	if (process_child_response(ike, sa, m, glen ? g : NULL, glen,
		sa->x_nonce, sa->x_nonce_len,
		sa->cur.type == T_CHILD_REKEY ? sa->cur.spi_in : 0) < 0 &&
		sa->cur.type == T_CHILD_REKEY) {
		struct child *old = child_by_in(sa, sa->cur.spi_in);

		if (old != NULL && old->state == C_REKEYING) {
			old->state = C_INSTALLED;
			old->rekey_queued = false;
			old->rekey_ms = ike->now + 10000;
		}
	}
	wipe(g, sizeof(g));
}

static void
handle_ike_rekey_request(struct ss_ike *ike, struct ike_sa *sa,
	const struct ike_msg *m, struct ike_buf *b, struct ike_sa_pl *sap)
{
	const struct ike_pl *ke = find_pl(m, PL_KE);
	uint8_t ni[MAX_NONCE], nr[NONCE_LEN], g[512], spi[8];
	uint16_t ni_len;
	uint64_t spi_i = 0, spi_r = rnd64_nz();
	struct ike_alg a;
	struct ike_dh *dh;
	const uint8_t *pub;
	size_t glen, pl, o;
	unsigned int i;
	int chosen;
	struct ike_sa *nsa;

	if (ike_prop_select(sap, PROTO_IKE, sa->pc->ike, sa->pc->nb_ike, &a,
		&chosen) < 0 || sap->prop[chosen].spi_size != 8) {
		CNT(ike, no_proposal_chosen);
		ike_put_notify(b, 0, NULL, 0, N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (ke == NULL || ke->len < 4 ||
		(uint16_t)(ke->body[0] << 8 | ke->body[1]) != a.dh) {
		uint8_t d[2] = { a.dh >> 8, a.dh & 0xff };

		CNT(ike, invalid_ke_sent);
		ike_put_notify(b, 0, NULL, 0, N_INVALID_KE_PAYLOAD, d, 2);
		return;
	}
	if (get_nonce(m, ni, &ni_len) < 0) {
		CNT(ike, rx_bad_payload);
		ike_put_notify(b, 0, NULL, 0, N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	dh = ike_dh_new(a.dh, NULL, 0);
	if (dh == NULL || ike_dh_shared(dh, ke->body + 4, ke->len - 4, g,
		&glen) < 0) {
		ike_dh_free(dh);
		ike_put_notify(b, 0, NULL, 0, N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	for (i = 0; i < 8; i++) {
		spi_i = spi_i << 8 | sap->prop[chosen].spi[i];
		spi[i] = (uint8_t)(spi_r >> (56 - 8 * i));
	}
	ike_random(nr, NONCE_LEN);
	put_chosen(b, PROTO_IKE, sap->prop[chosen].num, spi, 8, &a);
	ike_put_simple(b, PL_NONCE, nr, NONCE_LEN);
	pub = ike_dh_pub(dh, &pl);
	o = ike_pl_begin(b, PL_KE);
	ike_put16(b, a.dh);
	ike_put16(b, 0);
	ike_put(b, pub, pl);
	ike_pl_end(b, o);
	ike_dh_free(dh);
	nsa = ike_rekey_make(ike, sa, false, spi_i, spi_r, &a, ni, ni_len, nr,
		NONCE_LEN, g, glen);
	wipe(g, sizeof(g));
	if (nsa != NULL && sa->req_pending && sa->cur.type == T_IKE_REKEY) {
		/* simultaneous IKE rekey (RFC 7296 2.8.2): resolved when
		 * the response to ours arrives */
		const bool i_lo = nonce_lt(ni, ni_len, nr, NONCE_LEN);

		CNT(ike, rekey_collisions);
		sa->coll_uid = nsa->uid;
		memcpy(sa->coll_nonce, i_lo ? ni : nr,
			i_lo ? ni_len : NONCE_LEN);
		sa->coll_nonce_len = i_lo ? ni_len : NONCE_LEN;
	}
	/* the old SA is deleted by the initiator of the rekey */
	sa->state = S_DELETING;
}

static void
handle_create_child_request(struct ss_ike *ike, struct ike_sa *sa,
	const struct ike_msg *m)
{
	const struct ike_pl *sap_pl = find_pl(m, PL_SA);
	struct ike_sa_pl sap;
	struct ike_notify n;
	struct ike_buf b;
	uint32_t replaces = 0;

	ike_buf_init(&b, ike->inner, sizeof(ike->inner));
	if (sa->state != S_ESTABLISHED) {
		ike_put_notify(&b, 0, NULL, 0, N_TEMPORARY_FAILURE, NULL, 0);
		goto out;
	}
	if (sap_pl == NULL || ike_sa_decode(sap_pl, &sap) < 0 ||
		sap.nb_prop == 0) {
		CNT(ike, rx_bad_payload);
		ike_put_notify(&b, 0, NULL, 0, N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	if (sap.prop[0].proto == PROTO_IKE) {
		handle_ike_rekey_request(ike, sa, m, &b, &sap);
		goto out;
	}
	if (ike_msg_notify(m, N_REKEY_SA, &n)) {
		if (n.spi_size != 4 || n.proto != PROTO_ESP) {
			CNT(ike, rx_bad_payload);
			ike_put_notify(&b, 0, NULL, 0, N_INVALID_SYNTAX, NULL,
				0);
			goto out;
		}
		replaces = (uint32_t)n.spi[0] << 24 |
			(uint32_t)n.spi[1] << 16 | (uint32_t)n.spi[2] << 8 |
			n.spi[3];
	}
	respond_child(ike, sa, m, &b, true, replaces);
out:
	sk_send(ike, sa, EXCH_CREATE_CHILD_SA, true, m->msgid, &b);
}

static void
handle_informational_request(struct ss_ike *ike, struct ike_sa *sa,
	const struct ike_msg *m)
{
	struct ike_buf b;
	unsigned int i, j;
	bool ike_del = false;
	uint32_t del_in[64];
	unsigned int nb_del = 0;
	struct ike_notify n;

	ike_buf_init(&b, ike->inner, sizeof(ike->inner));
	if (ike_msg_notify(m, N_AUTHENTICATION_FAILED, &n)) {
		CNT(ike, auth_failed);
		sk_send(ike, sa, EXCH_INFORMATIONAL, true, m->msgid, &b);
		sa_destroy(ike, sa, "peer: AUTHENTICATION_FAILED");
		return;
	}
	for (i = 0; i < m->nb_pl; i++) {
		struct ike_delete d;

		if (m->pl[i].type != PL_DELETE)
			continue;
		if (ike_delete_decode(&m->pl[i], &d) < 0) {
			CNT(ike, rx_bad_payload);
			continue;
		}
		if (d.proto == PROTO_IKE) {
			ike_del = true;
			continue;
		}
		if (d.proto != PROTO_ESP)
			continue;
		for (j = 0; j < d.nb_spi; j++) {
			const uint8_t *s = d.spis + 4 * j;
			uint32_t spi = (uint32_t)s[0] << 24 |
				(uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 |
				s[3];
			struct child *c = child_by_out(sa, spi);

			if (c == NULL)
				continue;
			/* a child we are deleting ourselves is answered
			 * by our own exchange's response */
			if (c->state != C_DELETING && nb_del < 64)
				del_in[nb_del++] = c->spi_in;
			child_remove(ike, sa, c, true, true);
		}
	}
	if (ike_del) {
		struct ike_sa *o;

		/* the redundant SA of a simultaneous rekey, deleted before
		 * the response to our own rekey arrived: its children go
		 * back to the old SA, which hands them to ours */
		TAILQ_FOREACH(o, &ike->sas, next)
			if (o->coll_uid == sa->uid) {
				o->coll_uid = 0;
				children_move(o, sa);
			}
		sk_send(ike, sa, EXCH_INFORMATIONAL, true, m->msgid, &b);
		sa_destroy(ike, sa, "deleted by peer");
		return;
	}
	if (nb_del > 0) {
		size_t o = ike_pl_begin(&b, PL_DELETE);

		ike_put8(&b, PROTO_ESP);
		ike_put8(&b, 4);
		ike_put16(&b, nb_del);
		for (i = 0; i < nb_del; i++)
			ike_put32(&b, del_in[i]);
		ike_pl_end(&b, o);
	}
	sk_send(ike, sa, EXCH_INFORMATIONAL, true, m->msgid, &b);
}

static void
handle_informational_response(struct ss_ike *ike, struct ike_sa *sa,
	const struct ike_msg *m)
{
	struct child *c;
	unsigned int i, j;

	if (sa->cur.type == T_IKE_DELETE) {
		sa_destroy(ike, sa, "deleted");
		return;
	}
	if (sa->cur.type == T_CHILD_DELETE) {
		c = child_by_in(sa, sa->cur.spi_in);
		if (c != NULL)
			child_remove(ike, sa, c, true, true);
	}
	/* a Delete in the response names the peer's side of the pair */
	for (i = 0; i < m->nb_pl; i++) {
		struct ike_delete d;

		if (m->pl[i].type != PL_DELETE ||
			ike_delete_decode(&m->pl[i], &d) < 0 ||
			d.proto != PROTO_ESP)
			continue;
		for (j = 0; j < d.nb_spi; j++) {
			const uint8_t *s = d.spis + 4 * j;
			uint32_t spi = (uint32_t)s[0] << 24 |
				(uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 |
				s[3];

			c = child_by_out(sa, spi);
			if (c != NULL && c->state == C_DELETING)
				child_remove(ike, sa, c, true, true);
		}
	}
}

/* ---- input ------------------------------------------------------------ */

static struct ike_sa *
find_sa(struct ss_ike *ike, const struct ike_msg *m)
{
	struct ike_sa *sa;
	const bool from_initiator = (m->flags & FLAG_INITIATOR) != 0;

	TAILQ_FOREACH(sa, &ike->sas, next) {
		if (sa->spi_i != m->spi_i)
			continue;
		/* the sender is the original initiator iff we are not */
		if (sa->initiator == from_initiator)
			continue;
		if (sa->state == S_INIT_SENT)
			return m->exch == EXCH_IKE_SA_INIT ? sa : NULL;
		if (sa->spi_r == m->spi_r)
			return sa;
	}
	return NULL;
}

/* An IKE_SA_INIT request we already answered (SPIr still zero in it). */
static struct ike_sa *
find_half_open(struct ss_ike *ike, const struct ike_msg *m,
	const struct ss_ike_addr *remote)
{
	struct ike_sa *sa;

	if (m->spi_r != 0)
		return NULL;
	TAILQ_FOREACH(sa, &ike->sas, next)
		if (!sa->initiator && sa->spi_i == m->spi_i &&
			ss_ipaddr_equal(&sa->remote.ip, &remote->ip))
			return sa;
	return NULL;
}

static void
handle_request(struct ss_ike *ike, struct ike_sa *sa, const struct ike_msg *m)
{
	switch (m->exch) {
	case EXCH_IKE_AUTH:
		handle_auth_request(ike, sa, m);
		break;
	case EXCH_CREATE_CHILD_SA:
		handle_create_child_request(ike, sa, m);
		break;
	case EXCH_INFORMATIONAL:
		handle_informational_request(ike, sa, m);
		break;
	default:
		CNT(ike, rx_unexpected);
	}
}

static void
handle_response(struct ss_ike *ike, struct ike_sa *sa, const struct ike_msg *m)
{
	struct task cur = sa->cur;

	sa->req_pending = false;
	sa->my_msgid++;
	switch (m->exch) {
	case EXCH_IKE_AUTH:
		if (cur.type == T_AUTH)
			handle_auth_response(ike, sa, m);
		else
			CNT(ike, rx_unexpected);
		break;
	case EXCH_CREATE_CHILD_SA:
		if (cur.type == T_CHILD_CREATE || cur.type == T_CHILD_REKEY ||
			cur.type == T_IKE_REKEY)
			handle_create_child_response(ike, sa, m);
		else
			CNT(ike, rx_unexpected);
		break;
	case EXCH_INFORMATIONAL:
		handle_informational_response(ike, sa, m);
		break;
	default:
		CNT(ike, rx_unexpected);
	}
}

static bool
sa_alive(const struct ss_ike *ike, const struct ike_sa *sa)
{
	const struct ike_sa *s;

	TAILQ_FOREACH(s, &ike->sas, next)
		if (s == sa)
			return true;
	return false;
}

/* An error response to a request we could not parse past the header,
 * where that is safe (unprotected IKE_SA_INIT only; others are dropped). */
static void
unsupported_critical(struct ss_ike *ike, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote, const struct ike_msg *m,
	struct ike_sa *sa)
{
	uint8_t t = m->unsupported_critical;

	CNT(ike, rx_unsupported_critical);
	if (m->flags & FLAG_RESPONSE)
		return;
	if (m->exch == EXCH_IKE_SA_INIT && sa == NULL) {
		send_init_error(ike, local, remote, m,
			N_UNSUPPORTED_CRITICAL_PAYLOAD, &t, 1);
	} else if (sa != NULL && m->msgid == sa->peer_msgid &&
		sa->state >= S_INIT_RCVD) {
		struct ike_buf b;

		ike_buf_init(&b, ike->inner, sizeof(ike->inner));
		ike_put_notify(&b, 0, NULL, 0, N_UNSUPPORTED_CRITICAL_PAYLOAD,
			&t, 1);
		sk_send(ike, sa, m->exch, true, m->msgid, &b);
		sa->peer_msgid++;
	}
}

/*
 * One verified Encrypted Fragment of the message m.msgid (RFC 7383 2.6):
 * 0 kept, 1 the message is whole (its chain parsed into m, the data in
 * ike->plain), <0 dropped with the counter in *why. Fragments come in
 * any order; a duplicate is ignored; a different Total Fragments starts
 * over when larger and is ignored when smaller (2.6.2: the sender went
 * to smaller fragments, an older larger set is stale).
 */
static int
frag_input(struct ss_ike *ike, struct ike_sa *sa, struct ike_msg *m,
	enum ss_ike_counter *why)
{
	const unsigned int dir = (m->flags & FLAG_RESPONSE) ? 1 : 0;
	struct ike_reasm *r = sa->reasm[dir];
	struct ike_sk_keys k;
	struct ike_frag_hdr f;
	unsigned int i;
	size_t off;
	int ret;

	CNT(ike, rx_fragments);
	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL) {
			*why = SS_IKE_CNT_rx_fragment_bad;
			return -ENOMEM;
		}
		sa->reasm[dir] = r;
	}
	if (r->total != 0 && r->msgid != m->msgid)
		r->total = 0;	/* a newer message: the old one is over */
	if (r->total == 0)
		r->used = 0;
	sk_keys(sa, false, &k);
	/* decrypted behind what is kept, where it stays if it is kept;
	 * no room there means more than IKE_MAX_MSG in all */
	ret = ike_skf_open(&k, m, r->data + r->used, sizeof(r->data) -
		r->used, &f, why);
	if (ret < 0)
		return ret;
	if (f.total > IKE_MAX_FRAGS) {
		*why = SS_IKE_CNT_rx_fragment_bad;
		return -E2BIG;
	}
	if (r->total != 0 && f.total < r->total)
		return 0;
	if (r->total != 0 && f.total > r->total) {
		memmove(r->data, r->data + r->used, f.len);
		r->total = 0;
		r->used = 0;
	}
	if (r->total == 0) {
		r->msgid = m->msgid;
		r->total = f.total;
		r->have = 0;
		r->got = 0;
	}
	if (r->got & RTE_BIT64(f.num - 1))
		return 0;	/* duplicate */
	r->got |= RTE_BIT64(f.num - 1);
	r->off[f.num] = (uint16_t)r->used;
	r->len[f.num] = (uint16_t)f.len;
	r->used += f.len;
	if (f.num == 1)
		r->np = f.np;
	if (++r->have < r->total)
		return 0;
	off = 0;
	for (i = 1; i <= r->total; i++) {
		memcpy(ike->plain + off, r->data + r->off[i], r->len[i]);
		off += r->len[i];
	}
	r->total = 0;
	r->used = 0;
	wipe(r->data, sizeof(r->data));
	CNT(ike, rx_reassembled);
	ret = ike_pl_chain(r->np, ike->plain, off, m, why);
	return ret < 0 ? ret : 1;
}

void
ss_ike_input(struct ss_ike *ike, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote, const uint8_t *buf, size_t len,
	uint64_t now_ms)
{
	struct ike_msg m;
	enum ss_ike_counter why = SS_IKE_CNT_rx_bad_payload;
	struct ike_sa *sa;
	struct ss_ike_addr rl = *local, rr = *remote;

	ike->now = now_ms;
	CNT(ike, rx_msgs);
	if (local->port == SS_IKE_PORT_NATT) {
		if (len == 1 && buf[0] == 0xff) {
			CNT(ike, rx_nat_keepalive);
			return;
		}
		if (len < 4 || buf[0] | buf[1] | buf[2] | buf[3]) {
			/* ESP (non-zero SPI) does not belong here */
			CNT(ike, rx_bad_marker);
			return;
		}
		buf += 4;
		len -= 4;
	}
	if (ike_msg_parse(buf, len, &m, &why) < 0) {
		ike->st.c[why]++;
		return;
	}
	sa = find_sa(ike, &m);
	if (sa == NULL && m.exch == EXCH_IKE_SA_INIT &&
		!(m.flags & FLAG_RESPONSE))
		sa = find_half_open(ike, &m, &rr);
	if (m.unsupported_critical != 0 && m.sk < 0) {
		unsupported_critical(ike, &rl, &rr, &m, sa);
		return;
	}
	if (m.exch == EXCH_IKE_SA_INIT) {
		if (m.flags & FLAG_RESPONSE) {
			if (sa == NULL || sa->state != S_INIT_SENT ||
				m.msgid != 0) {
				CNT(ike, rx_bad_spi);
				return;
			}
			sa->last_rx_ms = now_ms;
			handle_init_response(ike, sa, &m);
		} else if (sa != NULL) {
			/* retransmitted request: same answer */
			if (sa->state == S_INIT_RCVD && sa->rsp_valid) {
				CNT(ike, rx_dup_request);
				send_raw(ike, &sa->local, &sa->remote, sa->rsp,
					sa->rsp_len);
			} else {
				CNT(ike, rx_out_of_window);
			}
		} else {
			handle_init_request(ike, &rl, &rr, &m);
		}
		return;
	}
	if (sa == NULL || sa->state == S_INIT_SENT) {
		CNT(ike, rx_bad_spi);
		return;
	}
	if (m.flags & FLAG_RESPONSE) {
		if (!sa->req_pending || m.msgid != sa->my_msgid) {
			CNT(ike, rx_out_of_window);
			return;
		}
	} else {
		if (m.msgid + 1 == sa->peer_msgid && sa->rsp_valid) {
			/* RFC 7296 2.1: a retransmission, answer it again
			 * (after checking it is authentic) */
			uint8_t *p = ike->plain;
			struct ike_sk_keys k;
			struct ike_frag_hdr f;

			sk_keys(sa, false, &k);
			if (m.sk >= 0 && ike_sk_open(&k, &m, p, IKE_MAX_MSG,
				&why) == 0) {
				CNT(ike, rx_dup_request);
				send_msgs(ike, sa, sa->rsp, sa->rsp_len);
			} else if (m.skf >= 0 && ike_skf_open(&k, &m, p,
				IKE_MAX_MSG, &f, &why) == 0) {
				/* RFC 7383 2.6.1: once per retransmitted
				 * request, on its first fragment */
				if (f.num == 1) {
					CNT(ike, rx_dup_request);
					send_msgs(ike, sa, sa->rsp,
						sa->rsp_len);
				}
			} else {
				ike->st.c[why]++;
			}
			return;
		}
		if (m.msgid != sa->peer_msgid) {
			CNT(ike, rx_out_of_window);
			return;
		}
	}
	if (m.sk < 0 && m.skf < 0) {
		CNT(ike, rx_bad_payload);
		return;
	}
	if (m.sk >= 0) {
		struct ike_sk_keys k;

		sk_keys(sa, false, &k);
		if (ike_sk_open(&k, &m, ike->plain, IKE_MAX_MSG, &why) < 0) {
			ike->st.c[why]++;
			return;
		}
	} else {
		int r = frag_input(ike, sa, &m, &why);

		if (r < 0) {
			ike->st.c[why]++;
			return;
		}
		if (r == 0) {
			/* authentic, not complete yet */
			sa->last_rx_ms = now_ms;
			return;
		}
	}
	/* authenticated: the peer may have moved (NAT mapping change) */
	sa->last_rx_ms = now_ms;
	if (local->port == SS_IKE_PORT_NATT && !sa->natt) {
		sa->natt = true;
		sa->local = rl;
		sa->remote = rr;
	} else if (sa->natt && !addr_eq(&sa->remote, &rr)) {
		sa->remote = rr;
	}
	if (m.unsupported_critical != 0) {
		unsupported_critical(ike, &rl, &rr, &m, sa);
		return;
	}
	if (m.flags & FLAG_RESPONSE) {
		handle_response(ike, sa, &m);
	} else {
		sa->peer_msgid = m.msgid + 1;
		handle_request(ike, sa, &m);
	}
	if (sa_alive(ike, sa))
		start_next_task(ike, sa);
}

/* ---- timers and API ---------------------------------------------------- */

static bool
peer_starts(const struct ss_ike_peer_conf *pc)
{
	unsigned int i;

	for (i = 0; i < pc->nb_child; i++)
		if (pc->child[i].start == SS_IKE_START_START)
			return true;
	return false;
}

/* The IKE SA of a peer started at boot is lost (not deleted on purpose):
 * start it again soon, as strongSwan's dpd_action = restart. */
static void
restart_later(struct ss_ike *ike, const struct ike_sa *sa)
{
	const unsigned int p = (unsigned int)(sa->pc - ike->conf.peer);

	/* a responder-only peer (remote_addr "%any") is not ours to start */
	if (sa->state == S_DELETING || p >= ike->conf.nb_peers ||
		!peer_starts(sa->pc) || sa->pc->remote.ip.family == 0)
		return;
	ike->restart_ms[p] = ike->now + SS_IKE_RESTART_MS;
}

static int ike_initiate(struct ss_ike *ike,
	const struct ss_ike_peer_conf *pc);

static void
restart_due(struct ss_ike *ike)
{
	struct ike_sa *sa;
	unsigned int p;
	int ret;

	for (p = 0; p < ike->conf.nb_peers; p++) {
		if (ike->restart_ms[p] == 0 || ike->now < ike->restart_ms[p])
			continue;
		ike->restart_ms[p] = 0;
		ret = ike_initiate(ike, &ike->conf.peer[p]);
		if (ret == -EALREADY || ret == -ENOENT)
			continue;	/* the peer came first */
		if (ret < 0) {
			ike->restart_ms[p] = ike->now + SS_IKE_RESTART_MS;
			continue;
		}
		CNT(ike, restarts);
		TAILQ_FOREACH(sa, &ike->sas, next)
			if (sa->pc == &ike->conf.peer[p] &&
				sa->state == S_INIT_SENT)
				event(ike, sa, "IKE SA lost: initiating again");
	}
}

void
ss_ike_timer(struct ss_ike *ike, uint64_t now_ms)
{
	struct ike_sa *sa, *tmp;
	struct child *c;

	ike->now = now_ms;
	TAILQ_FOREACH_SAFE(sa, &ike->sas, next, tmp) {
		retired_reap(ike, sa, false, -1);
		if (sa->req_pending && now_ms >= sa->req_next_ms) {
			if (sa->req_tries >= ike->conf.retransmit_tries) {
				CNT(ike, timeouts);
				if (sa->cur.type == T_DPD)
					CNT(ike, dpd_dead);
				restart_later(ike, sa);
				sa_destroy(ike, sa, sa->cur.type == T_DPD ?
					"peer dead (DPD)" :
					"retransmission limit");
				continue;
			}
			sa->req_tries++;
			sa->req_timeout *= 2;
			sa->req_next_ms = now_ms + sa->req_timeout;
			CNT(ike, retransmits);
			send_msgs(ike, sa, sa->req,
				sa->req_len);
		}
		if (sa->state == S_INIT_RCVD &&
			now_ms - sa->created_ms >=
			(uint64_t)ike->conf.half_open_timeout * 1000) {
			sa_destroy(ike, sa, "half-open timeout");
			continue;
		}
		if (sa->state == S_DELETING && sa->delete_by_ms != 0 &&
			now_ms >= sa->delete_by_ms && !sa->req_pending) {
			sa->delete_by_ms = 0;
			sa->q_len = 0;
			event(ike, sa, "redundant IKE SA not deleted by the "
				"peer: deleting it");
			queue_task(sa, T_IKE_DELETE, 0, 0, 0);
			start_next_task(ike, sa);
			continue;
		}
		if (sa->state != S_ESTABLISHED)
			continue;
		if (sa->expire_ms && now_ms >= sa->expire_ms) {
			struct ike_buf b;
			size_t o;

			/* tell the peer once, without waiting for it */
			ike_buf_init(&b, ike->inner, sizeof(ike->inner));
			o = ike_pl_begin(&b, PL_DELETE);
			ike_put8(&b, PROTO_IKE);
			ike_put8(&b, 0);
			ike_put16(&b, 0);
			ike_pl_end(&b, o);
			if (!sa->req_pending)
				sk_send(ike, sa, EXCH_INFORMATIONAL, false,
					sa->my_msgid, &b);
			restart_later(ike, sa);
			sa_destroy(ike, sa, "hard lifetime");
			continue;
		}
		if (sa->rekey_ms && now_ms >= sa->rekey_ms &&
			!sa->rekey_queued) {
			sa->rekey_queued = true;
			queue_task(sa, T_IKE_REKEY, 0, 0, 0);
		}
		if (sa->nat_here && now_ms >= sa->keepalive_ms) {
			static const uint8_t ka = 0xff;

			sa->keepalive_ms = now_ms +
				(uint64_t)ike->conf.keepalive_interval * 1000;
			CNT(ike, keepalives_sent);
			if (ike->ops.send(ike->ctx, &sa->local, &sa->remote,
				&ka, 1) < 0)
				CNT(ike, send_failed);
		}
		TAILQ_FOREACH(c, &sa->children, next) {
			if (c->standby && c->standby_ms != 0 &&
				now_ms >= c->standby_ms)
				child_activate(ike, sa, c,
					"no Delete of the old pair in time");
			if (c->expire_ms && now_ms >= c->expire_ms &&
				c->state != C_DELETING) {
				c->expire_ms = 0;
				queue_task(sa, T_CHILD_DELETE, c->cc,
					c->server_id, c->spi_in);
			} else if (c->state == C_INSTALLED && !c->rekey_queued &&
				c->rekey_ms && now_ms >= c->rekey_ms) {
				c->rekey_queued = true;
				queue_task(sa, T_CHILD_REKEY, c->cc,
					c->server_id, c->spi_in);
			}
		}
		if (sa->pc->dpd_interval && !sa->req_pending &&
			sa->q_len == 0 && now_ms - sa->last_rx_ms >=
			(uint64_t)sa->pc->dpd_interval * 1000)
			queue_task(sa, T_DPD, 0, 0, 0);
		start_next_task(ike, sa);
	}
	restart_due(ike);
}

static const struct ss_ike_peer_conf *
peer_by_name(const struct ss_ike *ike, const char *name)
{
	unsigned int i;

	for (i = 0; i < ike->conf.nb_peers; i++)
		if (strcmp(ike->conf.peer[i].name, name) == 0)
			return &ike->conf.peer[i];
	return NULL;
}

static struct ike_sa *
sa_of_peer(const struct ss_ike *ike, const struct ss_ike_peer_conf *pc)
{
	struct ike_sa *sa;

	TAILQ_FOREACH(sa, &ike->sas, next)
		if (sa->pc == pc && sa->state != S_DELETING &&
			sa->state != S_DEAD)
			return sa;
	return NULL;
}

int
ss_ike_initiate(struct ss_ike *ike, const char *peer, uint64_t now_ms)
{
	ike->now = now_ms;
	return ike_initiate(ike, peer_by_name(ike, peer));
}

static int
ike_initiate(struct ss_ike *ike, const struct ss_ike_peer_conf *pc)
{
	struct ike_sa *sa;
	int ret;

	if (pc == NULL || pc->remote.ip.family == 0 || pc->nb_ike == 0)
		return -ENOENT;
	if (sa_of_peer(ike, pc) != NULL)
		return -EALREADY;
	sa = sa_new(ike, pc, true);
	if (sa == NULL)
		return -ENOMEM;
	sa->local = pc->local;
	sa->remote = pc->remote;
	if (sa->local.port == 0)
		sa->local.port = SS_IKE_PORT;
	if (sa->remote.port == 0)
		sa->remote.port = SS_IKE_PORT;
	sa->spi_i = rnd64_nz();
	sa->dh_group = pc->ike[0].dh[0];
	sa->dh = ike_dh_new(sa->dh_group, NULL, 0);
	sa->ni_len = NONCE_LEN;
	ike_random(sa->ni, NONCE_LEN);
	if (sa->dh == NULL) {
		sa_destroy(ike, sa, "DH failed");
		return -EINVAL;
	}
	event(ike, sa, "initiating IKE SA");
	ret = send_init(ike, sa);
	if (ret < 0)
		sa_destroy(ike, sa, "send failed");
	return ret;
}

int
ss_ike_acquire(struct ss_ike *ike, const char *peer, uint64_t now_ms)
{
	const struct ss_ike_peer_conf *pc = peer_by_name(ike, peer);
	struct ike_sa *sa;
	unsigned int i;

	ike->now = now_ms;
	if (pc == NULL)
		return -ENOENT;
	sa = sa_of_peer(ike, pc);
	if (sa == NULL)
		return ss_ike_initiate(ike, peer, now_ms);
	if (sa->state != S_ESTABLISHED)
		return -EINPROGRESS;
	/* established but without pairs (refused, deleted): ask again */
	if (sa->nb_children == 0 && sa->q_len == 0 && !sa->req_pending) {
		for (i = 0; i < pc->nb_child; i++)
			if (pc->child[i].start == SS_IKE_START_ON_DEMAND ||
				pc->child[i].start == SS_IKE_START_START)
				break;
		if (i == pc->nb_child)
			return -ENOENT;
		queue_task(sa, T_CHILD_CREATE, (uint8_t)i,
			ike->nb_servers ? ike->servers[0] : 0, 0);
		start_next_task(ike, sa);
	}
	return 0;
}

int
ss_ike_start_all(struct ss_ike *ike, uint64_t now_ms)
{
	unsigned int i, j;
	int n = 0;

	for (i = 0; i < ike->conf.nb_peers; i++) {
		const struct ss_ike_peer_conf *pc = &ike->conf.peer[i];

		for (j = 0; j < pc->nb_child; j++)
			if (pc->child[j].start == SS_IKE_START_START)
				break;
		if (j < pc->nb_child &&
			ss_ike_initiate(ike, pc->name, now_ms) == 0)
			n++;
	}
	return n;
}

int
ss_ike_terminate(struct ss_ike *ike, const char *peer, uint64_t now_ms)
{
	const struct ss_ike_peer_conf *pc = peer_by_name(ike, peer);
	struct ike_sa *sa;

	ike->now = now_ms;
	if (pc != NULL)		/* no restart after an operator's end */
		ike->restart_ms[pc - ike->conf.peer] = 0;
	if (pc == NULL || (sa = sa_of_peer(ike, pc)) == NULL)
		return -ENOENT;
	if (sa->state != S_ESTABLISHED) {
		sa_destroy(ike, sa, "terminated");
		return 0;
	}
	sa->q_len = 0;
	queue_task(sa, T_IKE_DELETE, 0, 0, 0);
	start_next_task(ike, sa);
	return 0;
}

int
ss_ike_rekey(struct ss_ike *ike, const char *peer, bool child,
	uint64_t now_ms)
{
	const struct ss_ike_peer_conf *pc = peer_by_name(ike, peer);
	struct ike_sa *sa;
	struct child *c;

	ike->now = now_ms;
	if (pc == NULL || (sa = sa_of_peer(ike, pc)) == NULL ||
		sa->state != S_ESTABLISHED)
		return -ENOENT;
	if (child) {
		TAILQ_FOREACH(c, &sa->children, next) {
			if (c->state != C_INSTALLED || c->rekey_queued)
				continue;
			c->rekey_queued = true;
			queue_task(sa, T_CHILD_REKEY, c->cc, c->server_id,
				c->spi_in);
		}
	} else if (!sa->rekey_queued) {
		sa->rekey_queued = true;
		queue_task(sa, T_IKE_REKEY, 0, 0, 0);
	}
	start_next_task(ike, sa);
	return 0;
}

int
ss_ike_server_add(struct ss_ike *ike, uint16_t id, uint64_t now_ms)
{
	struct ike_sa *sa;
	unsigned int i;

	ike->now = now_ms;
	if (id >= (1u << ike->conf.instance_bits))
		return -EINVAL;
	for (i = 0; i < ike->nb_servers; i++)
		if (ike->servers[i] == id)
			return -EEXIST;
	if (ike->nb_servers >= SS_IKE_MAX_SERVERS)
		return -ENOSPC;
	ike->servers[ike->nb_servers++] = id;
	TAILQ_FOREACH(sa, &ike->sas, next) {
		if (sa->state != S_ESTABLISHED)
			continue;
		for (i = 0; i < sa->pc->nb_child; i++)
			if (sa->pc->child[i].per_server)
				queue_task(sa, T_CHILD_CREATE, (uint8_t)i, id,
					0);
		start_next_task(ike, sa);
	}
	return 0;
}

int
ss_ike_server_del(struct ss_ike *ike, uint16_t id, uint64_t now_ms)
{
	struct ike_sa *sa;
	struct child *c;
	unsigned int i;

	ike->now = now_ms;
	for (i = 0; i < ike->nb_servers; i++)
		if (ike->servers[i] == id)
			break;
	if (i == ike->nb_servers)
		return -ENOENT;
	memmove(&ike->servers[i], &ike->servers[i + 1],
		(ike->nb_servers - i - 1) * sizeof(ike->servers[0]));
	ike->nb_servers--;
	TAILQ_FOREACH(sa, &ike->sas, next) {
		retired_reap(ike, sa, false, id);
		if (sa->state != S_ESTABLISHED)
			continue;
		TAILQ_FOREACH(c, &sa->children, next)
			if (c->server_id == id && c->state != C_DELETING)
				queue_task(sa, T_CHILD_DELETE, c->cc, id,
					c->spi_in);
		start_next_task(ike, sa);
	}
	return 0;
}

void
ss_ike_child_usage(struct ss_ike *ike, uint32_t spi_in, uint64_t bytes,
	uint64_t packets, uint64_t now_ms)
{
	struct ike_sa *sa;
	struct child *c;

	ike->now = now_ms;
	TAILQ_FOREACH(sa, &ike->sas, next) {
		c = child_by_in(sa, spi_in);
		if (c == NULL)
			continue;
		c->bytes = bytes;
		c->packets = packets;
		{
			const struct ss_ike_child_conf *cc =
				&sa->pc->child[c->cc];

			if (c->state == C_INSTALLED && !c->rekey_queued &&
				((cc->rekey_bytes && bytes >= cc->rekey_bytes) ||
				 (cc->rekey_packets &&
				  packets >= cc->rekey_packets))) {
				c->rekey_queued = true;
				queue_task(sa, T_CHILD_REKEY, c->cc,
					c->server_id, c->spi_in);
				start_next_task(ike, sa);
			}
		}
		return;
	}
}

struct ss_ike *
ss_ike_create(const struct ss_ike_conf *conf, const struct ss_ike_ops *ops,
	void *ctx)
{
	struct ss_ike *ike;
	unsigned int i;

	if (conf == NULL || ops == NULL || ops->send == NULL ||
		conf->instance_bits < 1 || conf->instance_bits > 8) {
		errno = EINVAL;
		return NULL;
	}
	ike = calloc(1, sizeof(*ike));
	if (ike == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	ike->conf = *conf;
	if (ike->conf.retransmit_ms == 0)
		ike->conf.retransmit_ms = 1000;
	if (ike->conf.retransmit_tries == 0)
		ike->conf.retransmit_tries = 5;
	if (ike->conf.half_open_timeout == 0)
		ike->conf.half_open_timeout = 30;
	if (ike->conf.keepalive_interval == 0)
		ike->conf.keepalive_interval = 20;
	ike->ops = *ops;
	ike->ctx = ctx;
	TAILQ_INIT(&ike->sas);
	for (i = 0; i < ike->conf.nb_peers; i++) {
		char why[256];

		if (ike->conf.peer[i].auth != SS_IKE_AUTH_PUBKEY)
			continue;
		ike->cred[i] = ike_cred_load(&ike->conf.peer[i], why,
			sizeof(why));
		if (ike->cred[i] == NULL) {
			SS_IKE_LOG(ERR, "peer %s: %s", ike->conf.peer[i].name,
				why);
			ss_ike_destroy(ike);
			errno = EINVAL;
			return NULL;
		}
	}
	ike_random(ike->cookie_secret, sizeof(ike->cookie_secret));
	return ike;
}

void
ss_ike_destroy(struct ss_ike *ike)
{
	struct ike_sa *sa;
	unsigned int i;

	if (ike == NULL)
		return;
	while ((sa = TAILQ_FIRST(&ike->sas)) != NULL)
		sa_destroy(ike, sa, "shutdown");
	for (i = 0; i < SS_IKE_MAX_PEERS; i++)
		ike_cred_free(ike->cred[i]);
	wipe(ike, sizeof(*ike));
	free(ike);
}

unsigned int
ss_ike_walk_sas(const struct ss_ike *ike, ss_ike_sa_walk_fn fn, void *arg)
{
	const struct ike_sa *sa;
	struct ss_ike_sa_info i;
	unsigned int n = 0;

	TAILQ_FOREACH(sa, &ike->sas, next) {
		memset(&i, 0, sizeof(i));
		i.peer = sa->pc->name;
		i.spi_i = sa->spi_i;
		i.spi_r = sa->spi_r;
		i.initiator = sa->initiator;
		i.state = state_names[sa->state];
		i.local = sa->local;
		i.remote = sa->remote;
		i.nat = sa->natt;
		i.encr = sa->alg.encr;
		i.encr_bits = sa->alg.encr_bits;
		i.integ = sa->alg.integ;
		i.prf = sa->alg.prf;
		i.dh = sa->alg.dh;
		i.established_ms = sa->established_ms;
		i.nb_children = sa->nb_children;
		if (fn != NULL)
			fn(&i, arg);
		n++;
	}
	return n;
}

unsigned int
ss_ike_walk_children(const struct ss_ike *ike, ss_ike_child_walk_fn fn,
	void *arg)
{
	const struct ike_sa *sa;
	const struct child *c;
	struct ss_ike_child_info i;
	unsigned int n = 0;

	TAILQ_FOREACH(sa, &ike->sas, next) {
		TAILQ_FOREACH(c, &sa->children, next) {
			memset(&i, 0, sizeof(i));
			i.peer = sa->pc->name;
			i.child = sa->pc->child[c->cc].name;
			i.spi_in = c->spi_in;
			i.spi_out = c->spi_out;
			i.server_id = c->server_id;
			i.encr = c->alg.encr;
			i.encr_bits = c->alg.encr_bits;
			i.integ = c->alg.integ;
			i.esn = c->alg.esn == SS_IKE_ESN_YES;
			i.encap = sa->natt;
			i.transport = sa->pc->child[c->cc].transport;
			i.state = c->standby ? "INSTALLED, out standby" :
				child_state_names[c->state];
			i.installed_ms = c->installed_ms;
			if (fn != NULL)
				fn(&i, arg);
			n++;
		}
	}
	return n;
}

void
ss_ike_get_stats(const struct ss_ike *ike, struct ss_ike_stats *st)
{
	*st = ike->st;
}

const char *
ss_ike_encr_name(uint16_t encr, uint16_t bits)
{
	if (encr == SS_IKE_ENCR_AES_GCM16)
		return bits == 128 ? "aes128gcm16" : "aes256gcm16";
	if (encr == SS_IKE_ENCR_AES_CBC)
		return bits == 128 ? "aes128" : "aes256";
	return "?";
}

const char *
ss_ike_dh_name(uint16_t dh)
{
	switch (dh) {
	case SS_IKE_DH_MODP2048:
		return "modp2048";
	case SS_IKE_DH_ECP256:
		return "ecp256";
	case SS_IKE_DH_ECP384:
		return "ecp384";
	case SS_IKE_DH_CURVE25519:
		return "curve25519";
	case SS_IKE_DH_NONE:
		return "none";
	}
	return "?";
}

/* ---- Wireshark key export ---------------------------------------------- */

static void
hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* Wireshark's names, as strongSwan's save-keys plugin writes them. */
static const char *
ws_ike_encr(uint16_t encr, uint16_t bits)
{
	if (encr == SS_IKE_ENCR_AES_GCM16)
		return bits == 128 ? "AES-GCM-128 with 16 octet ICV [RFC5282]" :
			"AES-GCM-256 with 16 octet ICV [RFC5282]";
	return bits == 128 ? "AES-CBC-128 [RFC3602]" : "AES-CBC-256 [RFC3602]";
}

static void
esp_line(FILE *f, const struct ss_ike_addr *src, const struct ss_ike_addr *dst,
	uint32_t spi, const struct child *c, const uint8_t *ek,
	const uint8_t *ak)
{
	char s[INET6_ADDRSTRLEN + 4], d[INET6_ADDRSTRLEN + 4];
	const bool gcm = c->alg.encr == SS_IKE_ENCR_AES_GCM16;

	fprintf(f, "\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x",
		src->ip.family == AF_INET ? "IPv4" : "IPv6",
		ss_ipaddr_str(&src->ip, s, sizeof(s)),
		ss_ipaddr_str(&dst->ip, d, sizeof(d)), spi,
		gcm ? "AES-GCM [RFC4106]" : "AES-CBC [RFC3602]");
	hex(f, ek, ike_encr_keylen(c->alg.encr, c->alg.encr_bits));
	fprintf(f, "\",\"%s\",\"0x", gcm ?
		"ANY 128 bit authentication [no checking]" :
		"HMAC-SHA-256-128 [RFC4868]");
	if (!gcm)
		hex(f, ak, ike_integ_keylen(c->alg.integ));
	fputs("\"\n", f);
}

int
ss_ike_export_keys(const struct ss_ike *ike, FILE *ike_f, FILE *esp_f)
{
	const struct ike_sa *sa;
	const struct child *c;
	int n = 0;

	/* key material leaves the engine only when the operator turned the
	 * export on in the configuration (ike.debug_save_keys) */
	if (ike->conf.save_keys[0] == '\0')
		return -EPERM;
	TAILQ_FOREACH(sa, &ike->sas, next) {
		if (sa->prf_len == 0)
			continue;
		if (ike_f != NULL) {
			/* SPIi,SPIr,SK_ei,SK_er,"encr",SK_ai,SK_ar,"integ" */
			fprintf(ike_f, "%016" PRIx64 ",%016" PRIx64 ",",
				sa->spi_i, sa->spi_r);
			hex(ike_f, sa->sk_ei, sa->ek_len);
			fputc(',', ike_f);
			hex(ike_f, sa->sk_er, sa->ek_len);
			fprintf(ike_f, ",\"%s\",",
				ws_ike_encr(sa->alg.encr, sa->alg.encr_bits));
			hex(ike_f, sa->sk_ai, sa->ak_len);
			fputc(',', ike_f);
			hex(ike_f, sa->sk_ar, sa->ak_len);
			fprintf(ike_f, ",\"%s\"\n", sa->ak_len ?
				"HMAC_SHA2_256_128 [RFC4868]" :
				"NONE [RFC4306]");
			n++;
		}
		if (esp_f == NULL)
			continue;
		TAILQ_FOREACH(c, &sa->children, next) {
			if (c->keymat == NULL)
				continue;
			esp_line(esp_f, &sa->remote, &sa->local, c->spi_in, c,
				c->keymat, c->keymat + 64);
			esp_line(esp_f, &sa->local, &sa->remote, c->spi_out, c,
				c->keymat + 128, c->keymat + 192);
			n += 2;
		}
	}
	return n;
}

static void
write_keys_files(struct ss_ike *ike)
{
	char p1[300], p2[300];
	FILE *f1, *f2;

	snprintf(p1, sizeof(p1), "%s/ikev2_decryption_table",
		ike->conf.save_keys);
	snprintf(p2, sizeof(p2), "%s/esp_sa", ike->conf.save_keys);
	f1 = fopen(p1, "w");
	f2 = fopen(p2, "w");
	if (f1 != NULL && f2 != NULL)
		ss_ike_export_keys(ike, f1, f2);
	if (f1 != NULL)
		fclose(f1);
	if (f2 != NULL)
		fclose(f2);
}
