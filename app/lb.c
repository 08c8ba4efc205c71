/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Load balancer data path: packets to a VIP are forwarded at L2 to the
 * backend that owns them (direct server return). Only the Ethernet
 * addresses change: the IP header (destination VIP, TTL, checksum) is
 * the client's, so the backend sees the packet as the client sent it
 * and answers from the VIP itself. Each worker decides on its own
 * packets with read-only state and counts in its own counters: nothing
 * is shared between workers, nothing is locked.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "ss_app.h"
#include "ss_app_lb.h"

#define LB_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: lb: " __VA_ARGS__)

static struct ss_lb_be *
lb_find(struct ss_app_lb *lb, uint16_t id)
{
	uint16_t i;

	for (i = 0; i < lb->nb_be; i++)
		if (lb->be[i].id == id)
			return &lb->be[i];
	return NULL;
}

static bool
lb_be_up(const struct ss_lb_be *b)
{
	return b->enabled && b->health != SS_LB_DOWN;
}

/* A table for the current backend list: NULL on ENOMEM. */
static struct ss_lb_table *
lb_table_make(const struct ss_app *app, const struct ss_app_lb *lb)
{
	uint16_t w[SS_LB_MAX_BACKENDS], i;
	bool weighted = false, up = false;
	struct ss_lb_table *t;

	t = rte_zmalloc("ss_lb_tab", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return NULL;
	t->nb = lb->nb_be;
	for (i = 0; i < lb->nb_be; i++) {
		const struct ss_lb_be *b = &lb->be[i];

		t->id[i] = b->id;
		t->up[i] = lb_be_up(b);
		t->id_up[b->id] = t->up[i];
		w[i] = t->up[i] ? b->weight : 0;
		weighted |= w[i] != 0;
		up |= t->up[i];
		if (b->id == lb->ike_id)
			t->ike_idx = i;
		rte_ether_addr_copy(&b->mac, &t->eth[i].dst_addr);
		rte_ether_addr_copy(&app->port_mac[lb->port],
			&t->eth[i].src_addr);
	}
	t->steer = ss_steer_ctx_create(app->cfg.instance_bits, t->id, t->nb);
	if (t->steer == NULL) {
		rte_free(t);
		return NULL;
	}
	/* Every up backend at weight 0: they share the hashed traffic
	 * equally (it has to go somewhere). None up: the map over all,
	 * every packet then meets a down backend and is counted there. */
	for (i = 0; !weighted && i < t->nb; i++)
		w[i] = t->up[i] || !up ? 1 : 0;
	if (ss_steer_hash_rendezvous(t->steer, SS_LB_HASH_SLOTS, w) < 0) {
		ss_steer_ctx_free(t->steer);
		rte_free(t);
		return NULL;
	}
	return t;
}

static void
lb_table_free(struct ss_lb_table *t)
{
	if (t == NULL)
		return;
	ss_steer_ctx_free(t->steer);
	rte_free(t);
}

/* Free the replaced tables every worker has moved past; all: wait for
 * them (control lcore only, a worker loop at most). */
static void
lb_reclaim(struct ss_app *app, struct ss_app_lb *lb, bool all)
{
	uint16_t i, k = 0;

	if (all && lb->nb_old != 0 && app->qsbr != NULL)
		rte_rcu_qsbr_synchronize(app->qsbr, RTE_QSBR_THRID_INVALID);
	for (i = 0; i < lb->nb_old; i++) {
		if (all || app->qsbr == NULL || rte_rcu_qsbr_check(app->qsbr,
				lb->old[i].token, false) == 1)
			lb_table_free(lb->old[i].t);
		else
			lb->old[k++] = lb->old[i];
	}
	lb->nb_old = k;
}

/* Make and publish the table of the current list. */
static int
lb_publish(struct ss_app *app, struct ss_app_lb *lb)
{
	struct ss_lb_table *t = lb_table_make(app, lb), *old;

	if (t == NULL)
		return -ENOMEM;
	if (lb->nb_old == SS_LB_MAX_OLD)
		lb_reclaim(app, lb, true);
	old = lb->tab;
	__atomic_store_n(&lb->tab, t, __ATOMIC_RELEASE);
	lb->tables++;
	if (old != NULL) {
		lb->old[lb->nb_old].t = old;
		lb->old[lb->nb_old].token = app->qsbr != NULL ?
			rte_rcu_qsbr_start(app->qsbr) : 0;
		lb->nb_old++;
	}
	return 0;
}

static void
lb_be_init(struct ss_lb_be *b, uint16_t id, const struct rte_ether_addr *mac,
	const struct ss_ipaddr *ip, uint16_t weight, uint64_t now)
{
	memset(b, 0, sizeof(*b));
	b->id = id;
	b->weight = weight;
	rte_ether_addr_copy(mac, &b->mac);
	if (ip != NULL && ip->family != 0)
		b->ip = *ip;
	b->enabled = true;
	/* up until it misses health_fall checks in a row */
	b->health = b->ip.family != 0 ? SS_LB_UP : SS_LB_UNCHECKED;
	b->since = now;
}

int
ss_app_lb_init(struct ss_app *app)
{
	const struct ss_app_lb_cfg *c = &ss_app_lb_cfg;
	const uint64_t now = rte_get_timer_cycles();
	struct ss_app_lb *lb;
	uint16_t i, w;
	int ret;

	if (c->nb_backends == 0)
		return 0;
	lb = rte_zmalloc("ss_lb", sizeof(*lb) + (app->nb_workers + 1) *
		sizeof(lb->ws[0]), RTE_CACHE_LINE_SIZE);
	if (lb == NULL)
		return -ENOMEM;
	lb->port = c->port;
	lb->mtu = app->cfg.ports[c->port].mtu;
	lb->ike_id = c->ike_backend;
	rte_spinlock_init(&lb->lock);
	for (i = 0; i < c->nb_backends; i++)
		lb_be_init(&lb->be[lb->nb_be++], c->b[i].id, &c->b[i].mac,
			&c->b[i].ip, c->b[i].weight, now);
	for (i = 0; i < c->nb_vips; i++) {
		if (c->vips[i].family == AF_INET)
			lb->v4[lb->nb_v4++] = c->vips[i].v4;
		else
			memcpy(lb->v6[lb->nb_v6++], c->vips[i].v6, 16);
	}
	lb->ct_idle_s = c->conn_idle_s;
	lb->ct_idle_tsc = (uint64_t)c->conn_idle_s * rte_get_timer_hz();
	app->lb = lb;
	for (w = 0; w <= app->nb_workers; w++) {
		const int sock = w < app->nb_workers ?
			(int)rte_lcore_to_socket_id(app->workers[w].lcore) :
			(int)rte_socket_id();
		char name[RTE_HASH_NAMESIZE];

		lb->ws[w] = rte_zmalloc_socket("ss_lb_ws",
			sizeof(*lb->ws[w]), RTE_CACHE_LINE_SIZE, sock);
		if (lb->ws[w] == NULL) {
			ss_app_lb_fini(app);
			return -ENOMEM;
		}
		/* the control lcore's slot has no table: it sends whole
		 * datagrams by the hash */
		if (c->conn_max == 0 || w == app->nb_workers)
			continue;
		snprintf(name, sizeof(name), "ss_lbct%u", w);
		lb->ct[w] = ss_lb_ct_create(name, c->conn_max, sock);
		if (lb->ct[w] == NULL) {
			fprintf(stderr, "shardsec: lb: cannot make worker "
				"%u's connection table of %u flows: %s\n", w,
				c->conn_max, rte_strerror(rte_errno));
			ss_app_lb_fini(app);
			return -ENOMEM;
		}
	}
	ret = ss_app_lb_frag_init(app);
	if (ret < 0) {
		ss_app_lb_fini(app);
		return ret;
	}
	ret = lb_publish(app, lb);
	if (ret < 0) {
		fprintf(stderr, "shardsec: lb: cannot build the backends' "
			"table: %s\n", strerror(-ret));
		ss_app_lb_fini(app);
		return ret;
	}
	/* Hold the VIPs: answer ARP/NS for them towards the clients (every
	 * port but the backends'), so that they need no route. */
	for (i = 0; c->announce && i < c->nb_vips; i++) {
		const uint32_t mask = (UINT32_C(1) << app->nb_ports) - 1 -
			(UINT32_C(1) << c->port);
		char buf[INET6_ADDRSTRLEN + 4];

		ret = mask == 0 ? 0 : ss_net_announce(&c->vips[i], mask);
		if (ret < 0) {
			fprintf(stderr, "shardsec: lb: cannot announce VIP "
				"%s: %s\n", ss_ipaddr_str(&c->vips[i], buf,
				sizeof(buf)), strerror(-ret));
			ss_app_lb_fini(app);
			return ret;
		}
	}
	app->lb_on = true;
	printf("shardsec: load balancer: %u VIP(s), %u backend(s) behind "
		"port %s\n", c->nb_vips, c->nb_backends,
		app->cfg.ports[c->port].name);
	if (c->conn_max != 0)
		printf("shardsec: load balancer: connection tracking, %u "
			"flows per worker, idle %u s\n", c->conn_max,
			c->conn_idle_s);
	else
		printf("shardsec: load balancer: no connection tracking "
			"(conn_max 0): hashed flows follow the hash\n");
	return 0;
}

void
ss_app_lb_fini(struct ss_app *app)
{
	struct ss_app_lb *lb = app->lb;
	uint16_t w;

	if (lb == NULL)
		return;
	/* the workers have stopped */
	app->lb_on = false;
	for (w = 0; w <= app->nb_workers; w++) {
		rte_free(lb->ws[w]);
		ss_lb_ct_free(lb->ct[w]);
	}
	lb_reclaim(app, lb, true);
	lb_table_free(lb->tab);
	rte_free(lb);
	app->lb = NULL;
}

/* The lb port can ask 'family' (lib/net's port_src): IPv4 needs an
 * address; IPv6 always has the port's link-local. */
static bool
lb_port_has_family(const struct ss_app *app, uint8_t port, int family)
{
	const struct ss_cfg_port *p = &app->cfg.ports[port];
	uint8_t k;

	if (family == AF_INET6)
		return true;
	for (k = 0; k < p->nb_addrs; k++)
		if (p->addrs[k].addr.family == family)
			return true;
	return false;
}

int
ss_app_lb_backend_add(struct ss_app *app, uint16_t id,
	const struct rte_ether_addr *mac, const struct ss_ipaddr *ip)
{
	struct ss_app_lb *lb = app->lb;
	int ret;

	if (lb == NULL)
		return -ENOENT;
	if (id >= (1u << app->cfg.instance_bits) || mac == NULL ||
			!rte_is_unicast_ether_addr(mac) ||
			rte_is_zero_ether_addr(mac) ||
			(ip != NULL && ip->family != 0 &&
			!lb_port_has_family(app, lb->port, ip->family)))
		return -EINVAL;
	if (lb_find(lb, id) != NULL)
		return -EEXIST;
	if (lb->nb_be == SS_LB_MAX_BACKENDS)
		return -ENOSPC;
	rte_spinlock_lock(&lb->lock);
	lb_be_init(&lb->be[lb->nb_be++], id, mac, ip, 1,
		rte_get_timer_cycles());
	ret = lb_publish(app, lb);
	if (ret < 0)
		lb->nb_be--;
	rte_spinlock_unlock(&lb->lock);
	if (ret < 0)
		return ret;
	LB_LOG(INFO, "backend %u added (" RTE_ETHER_ADDR_PRT_FMT "%s)\n", id,
		RTE_ETHER_ADDR_BYTES(mac), ip != NULL && ip->family != 0 ?
		", health-checked" : "");
	return 0;
}

int
ss_app_lb_backend_del(struct ss_app *app, uint16_t id)
{
	struct ss_app_lb *lb = app->lb;
	struct ss_lb_be *b, keep;
	uint16_t i;
	int ret;

	if (lb == NULL || (b = lb_find(lb, id)) == NULL)
		return -ENOENT;
	if (id == lb->ike_id)
		return -EBUSY;
	i = (uint16_t)(b - lb->be);
	keep = *b;
	rte_spinlock_lock(&lb->lock);
	memmove(b, b + 1, (lb->nb_be - i - 1) * sizeof(*b));
	lb->nb_be--;
	ret = lb_publish(app, lb);
	if (ret < 0) {
		memmove(&lb->be[i + 1], &lb->be[i],
			(lb->nb_be - i) * sizeof(*b));
		lb->be[i] = keep;
		lb->nb_be++;
	}
	rte_spinlock_unlock(&lb->lock);
	if (ret < 0)
		return ret;
	LB_LOG(INFO, "backend %u removed\n", id);
	return 0;
}

int
ss_app_lb_backend_enable(struct ss_app *app, uint16_t id, bool on)
{
	struct ss_app_lb *lb = app->lb;
	struct ss_lb_be *b;
	int ret;

	if (lb == NULL || (b = lb_find(lb, id)) == NULL)
		return -ENOENT;
	if (b->enabled == on)
		return 0;
	rte_spinlock_lock(&lb->lock);
	b->enabled = on;
	ret = lb_publish(app, lb);
	if (ret < 0)
		b->enabled = !on;
	else
		b->since = rte_get_timer_cycles();
	rte_spinlock_unlock(&lb->lock);
	if (ret < 0)
		return ret;
	LB_LOG(INFO, "backend %u %s\n", id, on ? "enabled" : "disabled");
	return 0;
}

int
ss_app_lb_backend_weight(struct ss_app *app, uint16_t id, uint16_t weight)
{
	struct ss_app_lb *lb = app->lb;
	struct ss_lb_be *b;
	uint16_t old;
	int ret;

	if (lb == NULL || (b = lb_find(lb, id)) == NULL)
		return -ENOENT;
	if (weight > SS_LB_MAX_WEIGHT)
		return -ERANGE;
	if (b->weight == weight)
		return 0;
	rte_spinlock_lock(&lb->lock);
	old = b->weight;
	b->weight = weight;
	ret = lb_publish(app, lb);
	if (ret < 0)
		b->weight = old;
	rte_spinlock_unlock(&lb->lock);
	if (ret < 0)
		return ret;
	LB_LOG(INFO, "backend %u weight %u -> %u\n", id, old, weight);
	return 0;
}

int
ss_app_lb_ct_flush(struct ss_app *app)
{
	struct ss_app_lb *lb = app->lb;

	if (lb == NULL)
		return -ENOENT;
	if (ss_app_lb_cfg.conn_max == 0)
		return -ENOTSUP;
	/* the workers' entries of the old epoch are stale from their next
	 * burst on; each worker deletes its own */
	__atomic_store_n(&lb->ct_epoch, lb->ct_epoch + 1, __ATOMIC_RELAXED);
	LB_LOG(NOTICE, "connection tracking flushed\n");
	return 0;
}

int
ss_app_lb_ct_idle(struct ss_app *app, uint32_t seconds)
{
	struct ss_app_lb *lb = app->lb;

	if (lb == NULL)
		return -ENOENT;
	if (ss_app_lb_cfg.conn_max == 0)
		return -ENOTSUP;
	if (seconds == 0 || seconds > SS_LB_CT_IDLE_MAX)
		return -ERANGE;
	lb->ct_idle_s = seconds;
	__atomic_store_n(&lb->ct_idle_tsc, (uint64_t)seconds *
		rte_get_timer_hz(), __ATOMIC_RELAXED);
	LB_LOG(NOTICE, "connection tracking: idle time %u s\n", seconds);
	return 0;
}

const char *
ss_app_lb_state_name(const struct ss_lb_be *b)
{
	if (!b->enabled)
		return "disabled";
	return b->health == SS_LB_DOWN ? "down" : "up";
}

/*
 * One health check of b: first judge the previous probe (answered since
 * it was sent, with the configured MAC), then send the next. health_fall
 * misses in a row: down; health_rise answers in a row: up again.
 */
static bool
lb_check(struct ss_app *app, struct ss_app_lb *lb, struct ss_lb_be *b,
	uint64_t now)
{
	const struct ss_app_lb_cfg *c = &ss_app_lb_cfg;
	struct rte_ether_addr mac;
	uint64_t confirmed;
	bool ok, changed = false;
	int ret;

	ret = ss_net_neigh_probe(lb->port, &b->ip, &app->ctl_net, &confirmed,
		&mac);
	if (b->last_probe != 0) {
		ok = ret == 0 && confirmed >= b->last_probe;
		if (ok && !rte_is_same_ether_addr(&mac, &b->mac)) {
			/* another host has its address: not it */
			ok = false;
			b->mac_mismatch++;
			if (!b->mac_warned)
				LB_LOG(WARNING, "backend %u: its address is "
					"answered by " RTE_ETHER_ADDR_PRT_FMT
					", not its MAC\n", b->id,
					RTE_ETHER_ADDR_BYTES(&mac));
			b->mac_warned = true;
		}
		if (ok) {
			b->answers++;
			b->last_ok = confirmed;
			b->fails = 0;
			if (b->oks < UINT8_MAX)
				b->oks++;
			if (b->health == SS_LB_DOWN &&
					b->oks >= c->health_rise) {
				b->health = SS_LB_UP;
				changed = true;
			}
		} else {
			b->oks = 0;
			if (b->fails < UINT8_MAX)
				b->fails++;
			if (b->health == SS_LB_UP &&
					b->fails >= c->health_fall) {
				b->health = SS_LB_DOWN;
				b->downs++;
				changed = true;
			}
		}
		if (changed) {
			b->since = now;
			LB_LOG(NOTICE, "backend %u is %s (%u check(s) %s)\n",
				b->id, b->health == SS_LB_UP ? "up" : "down",
				b->health == SS_LB_UP ? b->oks : b->fails,
				b->health == SS_LB_UP ? "answered" :
				"missed");
		}
	}
	if (ret == 0) {
		b->probes++;
		b->last_probe = now;
	} else if (b->last_probe == 0) {
		/* judged as missed from the next round on */
		b->last_probe = now;
	}
	return changed;
}

void
ss_app_lb_timer(struct ss_app *app, uint64_t now)
{
	const struct ss_app_lb_cfg *c = &ss_app_lb_cfg;
	struct ss_app_lb *lb = app->lb;
	bool changed = false;
	uint16_t i;

	if (lb == NULL)
		return;
	if (lb->nb_old != 0)
		lb_reclaim(app, lb, false);
	ss_app_lb_frag_timer(app, now);
	if (c->health_ms == 0 || now < lb->next_check)
		return;
	lb->next_check = now + rte_get_timer_hz() * c->health_ms / 1000;
	rte_spinlock_lock(&lb->lock);
	for (i = 0; i < lb->nb_be; i++)
		if (lb->be[i].ip.family != 0)
			changed |= lb_check(app, lb, &lb->be[i], now);
	if (changed || lb->stale) {
		/* on failure the old table stays, and the next check
		 * tries again */
		lb->stale = lb_publish(app, lb) < 0;
		if (lb->stale)
			LB_LOG(ERR, "out of memory for the backends' "
				"table\n");
	}
	rte_spinlock_unlock(&lb->lock);
}

/* Is the packet (data at L2, lib/net checked its IP header) to a VIP?
 * A few VIPs: a compare each beats any table. */
static inline bool
lb_is_vip(const struct ss_app_lb *lb, const struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		m->l2_len);
	unsigned int i;

	if ((ip[0] >> 4) == 4) {
		uint32_t dst;

		memcpy(&dst, ip + offsetof(struct rte_ipv4_hdr, dst_addr), 4);
		for (i = 0; i < lb->nb_v4; i++)
			if (dst == lb->v4[i])
				return true;
		return false;
	}
	for (i = 0; i < lb->nb_v6; i++)
		if (memcmp(ip + offsetof(struct rte_ipv6_hdr, dst_addr),
				lb->v6[i], 16) == 0)
			return true;
	return false;
}

/* lk[] of a fragment for the control lcore (beside enum ss_lb_kind). */
#define LB_LK_FRAG (SS_LB_KIND_MAX + 1)

/* A fragment the control lcore can put together: IPv4, or IPv6 with at
 * most SS_LB_FRAG_EXT_MAX bytes of hop-by-hop, destination options and
 * routing headers (no segments left) in front of its fragment header.
 * Others are hashed on their addresses, as lib/steer did. */
static inline bool
lb_frag_whole_able(const struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
		m->l2_len);
	uint32_t nh;
	int f;

	if ((ip[0] >> 4) == 4 ||
			ip[offsetof(struct rte_ipv6_hdr, proto)] ==
			IPPROTO_FRAGMENT)
		return true;
	f = ss_net_ip6_frag_hdr(ip, rte_pktmbuf_data_len(m) - m->l2_len,
		&nh);
	return f >= 0 && f - (int)sizeof(struct rte_ipv6_hdr) <=
		SS_LB_FRAG_EXT_MAX;
}

/* Entries looked at per burst with VIP packets: at 32-packet bursts
 * that visits a full table of 65536 flows every 8192 bursts. */
#define LB_CT_SWEEP 8

/* Hashed flows keep the backend their entry names while it is up: the
 * hash's choices (owner[] at hk[]) are replaced by the table's. */
static void
lb_ct_apply(const struct ss_app_lb *lb, const struct ss_lb_table *t,
	struct ss_lb_ct *ct, struct ss_lb_wstats *st, struct rte_mbuf **vip,
	const struct ss_steer_l4 l4[], const uint16_t hk[], uint16_t nh,
	uint16_t owner[])
{
	struct ss_lb_ct_key key[SS_BURST];
	const struct ss_lb_ct_key *kp[SS_BURST];
	uint16_t id[SS_BURST], at[SS_BURST];
	/* ticks of 2^16 timer cycles (tens of microseconds): what an
	 * entry's 40 bits of last use count */
	const uint64_t now = rte_get_timer_cycles() >> 16;
	const uint64_t idle = __atomic_load_n(&lb->ct_idle_tsc,
		__ATOMIC_RELAXED) >> 16;
	const uint32_t epoch = __atomic_load_n(&lb->ct_epoch,
		__ATOMIC_RELAXED);
	uint16_t i, nk = 0;

	for (i = 0; i < nh; i++) {
		if (unlikely(ss_lb_ct_key_make(vip[hk[i]], &l4[hk[i]],
				&key[nk]) < 0)) {
			st->untracked++;
			continue;
		}
		kp[nk] = &key[nk];
		id[nk] = t->id[owner[hk[i]]];
		at[nk++] = hk[i];
	}
	ss_lb_ct_assign(ct, kp, nk, id, t->id_up, now, idle, epoch, &st->ct);
	for (i = 0; i < nk; i++)
		owner[at[i]] = ss_steer_lookup(t->steer, id[i]);
	ss_lb_ct_sweep(ct, LB_CT_SWEEP, now, idle, epoch, &st->ct);
}

uint16_t
ss_app_lb_take(const struct ss_app_lb *lb, struct ss_lb_wstats *st,
	struct ss_lb_ct *ct, struct rte_mbuf **m, uint16_t n,
	uint32_t mtu, struct rte_mbuf **tx, uint16_t *ntx,
	struct rte_mbuf **frag, uint16_t *nfrag)
{
	const struct ss_lb_table *t;
	struct ss_steer_l4 l4[SS_BURST];
	struct rte_mbuf *vip[SS_BURST];
	uint16_t owner[SS_BURST], hk[SS_BURST];
	uint8_t kind[SS_BURST], lk[SS_BURST];
	uint16_t i, k = 0, nv = 0, nt = 0, nh = 0, nf = 0;

	for (i = 0; i < n; i++) {
		if (lb_is_vip(lb, m[i]))
			vip[nv++] = m[i];
		else
			m[k++] = m[i];
	}
	*ntx = 0;
	*nfrag = 0;
	if (likely(nv == 0))
		return n;
	/* one table for the burst; the worker's quiescent state comes
	 * after it */
	t = __atomic_load_n(&lb->tab, __ATOMIC_ACQUIRE);
	/* one parse of each packet's headers: the owner, and what the
	 * counters, the IKE test and the flow table need */
	ss_steer_classify_burst_l4(t->steer, vip, nv, owner, kind, l4, NULL);
	for (i = 0; i < nv; i++) {
		switch (kind[i]) {
		case SS_STEER_ESP:
			/* the same SPI owner either way; told apart for
			 * the counters */
			lk[i] = (l4[i].flags & SS_STEER_L4_UDP) != 0 ?
				SS_LB_ESP_UDP : SS_LB_ESP;
			break;
		case SS_STEER_GTPU:
			lk[i] = SS_LB_GTPU;
			break;
		case SS_STEER_SCTP:
			lk[i] = SS_LB_SCTP;
			break;
		case SS_STEER_HASH:
			/* IKE SAs all live on one host: a hash would split
			 * a peer's IKE_SA_INIT and its NAT-T exchanges */
			if ((l4[i].flags & SS_STEER_L4_IKE) != 0) {
				owner[i] = t->ike_idx;
				lk[i] = SS_LB_IKE;
			} else if (unlikely(l4[i].flags & SS_STEER_L4_FRAG) &&
					lb_frag_whole_able(vip[i])) {
				/* the SPI, ports, TEID are in the first
				 * fragment only */
				lk[i] = LB_LK_FRAG;
			} else {
				lk[i] = SS_LB_HASH;
				hk[nh++] = i;
			}
			break;
		default:
			lk[i] = SS_LB_KIND_MAX;
			break;
		}
	}
	if (ct != NULL && nh != 0)
		lb_ct_apply(lb, t, ct, st, vip, l4, hk, nh, owner);
	for (i = 0; i < nv; i++) {
		struct rte_mbuf *p = vip[i];
		struct ss_lb_bstats *b;
		const uint16_t o = owner[i];

		if (unlikely(rte_pktmbuf_pkt_len(p) - p->l2_len > mtu) &&
				lk[i] < SS_LB_KIND_MAX) {
			/* cut, or answered with ICMP, by the control
			 * lcore (which has put fragments together and
			 * finds them above it too) */
			st->big++;
			frag[nf++] = p;
			continue;
		}
		if (unlikely(lk[i] >= SS_LB_KIND_MAX)) {
			if (lk[i] == LB_LK_FRAG) {
				st->frag++;
				frag[nf++] = p;
				continue;
			}
			st->bad++;
			rte_pktmbuf_free(p);
			continue;
		}
		if (unlikely(o == SS_STEER_OWNER_NONE)) {
			/* an id that names no backend: never guessed */
			st->unknown_id++;
			rte_pktmbuf_free(p);
			continue;
		}
		b = &st->b[t->id[o]];
		if (unlikely(!t->up[o])) {
			/* its SAs, TEIDs and tags are on that host only
			 * (hashed flows meet this only when none is up) */
			b->down++;
			rte_pktmbuf_free(p);
			continue;
		}
		b->pkts++;
		b->bytes += rte_pktmbuf_pkt_len(p);
		b->kind[lk[i]]++;
		/* destination then source MAC, the first 12 bytes */
		memcpy(rte_pktmbuf_mtod(p, void *), &t->eth[o],
			2 * RTE_ETHER_ADDR_LEN);
		tx[nt++] = p;
	}
	*ntx = nt;
	*nfrag = nf;
	return k;
}

void
ss_app_lb_stats_sum(const struct ss_app *app, struct ss_lb_wstats *sum)
{
	const struct ss_app_lb *lb = app->lb;
	uint16_t w, i;
	unsigned int k;

	memset(sum, 0, sizeof(*sum));
	if (lb == NULL)
		return;
	for (w = 0; w <= app->nb_workers; w++) {
		const struct ss_lb_wstats *s = lb->ws[w];

		for (i = 0; i < SS_LB_MAX_IDS; i++) {
			sum->b[i].pkts += s->b[i].pkts;
			sum->b[i].bytes += s->b[i].bytes;
			sum->b[i].down += s->b[i].down;
			for (k = 0; k < SS_LB_KIND_MAX; k++)
				sum->b[i].kind[k] += s->b[i].kind[k];
		}
		sum->unknown_id += s->unknown_id;
		sum->bad += s->bad;
		sum->untracked += s->untracked;
		sum->frag += s->frag;
		sum->big += s->big;
		sum->ct.added += s->ct.added;
		sum->ct.kept += s->ct.kept;
		sum->ct.moved += s->ct.moved;
		sum->ct.expired += s->ct.expired;
		sum->ct.full += s->ct.full;
		sum->ct.entries += s->ct.entries;
	}
}

void
ss_app_lb_stats_clear(struct ss_app *app)
{
	uint16_t w;

	if (app->lb == NULL)
		return;
	/* as every clear: a racing worker increment may be lost */
	for (w = 0; w <= app->nb_workers; w++)
		memset(app->lb->ws[w], 0, sizeof(*app->lb->ws[w]));
	memset(&app->lb->fst, 0, sizeof(app->lb->fst));
}
