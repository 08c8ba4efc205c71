/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ss_spd.h"

RTE_LOG_REGISTER(ss_spd_logtype, shardsec.spd, INFO);
#define SS_SPD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_spd_logtype, "spd: " fmt "\n", \
		##__VA_ARGS__)

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define PROTO_SCTP 132

/* Chunk that fits the on-stack keys; bursts are 32. */
#define SS_SPD_CHUNK 64

/* ---- lookup keys: what rte_acl reads (network byte order) ------------ */

struct key4 {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src;
	uint32_t dst;
	uint16_t sport;
	uint16_t dport;
};

struct key6 {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
};

enum { F4_PROTO, F4_SRC, F4_DST, F4_SPORT, F4_DPORT, F4_NUM };
enum { F6_PROTO, F6_SRC0, F6_DST0 = F6_SRC0 + 4, F6_SPORT = F6_DST0 + 4,
	F6_DPORT, F6_NUM };

RTE_ACL_RULE_DEF(acl4_rule, F4_NUM);
RTE_ACL_RULE_DEF(acl6_rule, F6_NUM);

static void
acl_defs4(struct rte_acl_config *c)
{
	static const struct rte_acl_field_def d[F4_NUM] = {
		{ RTE_ACL_FIELD_TYPE_BITMASK, 1, F4_PROTO, 0,
			offsetof(struct key4, proto) },
		{ RTE_ACL_FIELD_TYPE_MASK, 4, F4_SRC, 1,
			offsetof(struct key4, src) },
		{ RTE_ACL_FIELD_TYPE_MASK, 4, F4_DST, 2,
			offsetof(struct key4, dst) },
		{ RTE_ACL_FIELD_TYPE_RANGE, 2, F4_SPORT, 3,
			offsetof(struct key4, sport) },
		{ RTE_ACL_FIELD_TYPE_RANGE, 2, F4_DPORT, 3,
			offsetof(struct key4, dport) },
	};

	memset(c, 0, sizeof(*c));
	c->num_categories = 1;
	c->num_fields = F4_NUM;
	memcpy(c->defs, d, sizeof(d));
}

static void
acl_defs6(struct rte_acl_config *c)
{
	unsigned int i, f = 0;

	memset(c, 0, sizeof(*c));
	c->num_categories = 1;
	c->defs[f++] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_BITMASK,
		1, F6_PROTO, 0, offsetof(struct key6, proto) };
	for (i = 0; i < 4; i++)
		c->defs[f++] = (struct rte_acl_field_def){
			RTE_ACL_FIELD_TYPE_MASK, 4, F6_SRC0 + i, 1 + i,
			offsetof(struct key6, src) + 4 * i };
	for (i = 0; i < 4; i++)
		c->defs[f++] = (struct rte_acl_field_def){
			RTE_ACL_FIELD_TYPE_MASK, 4, F6_DST0 + i, 5 + i,
			offsetof(struct key6, dst) + 4 * i };
	c->defs[f++] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_RANGE,
		2, F6_SPORT, 9, offsetof(struct key6, sport) };
	c->defs[f++] = (struct rte_acl_field_def){ RTE_ACL_FIELD_TYPE_RANGE,
		2, F6_DPORT, 9, offsetof(struct key6, dport) };
	c->num_fields = f;
}

/* ---- SPD and snapshots ------------------------------------------------ */

struct ss_spd_snapshot {
	struct rte_acl_ctx *acl4;	/* NULL: no IPv4 rule */
	struct rte_acl_ctx *acl6;
	uint64_t gen;			/* unique per SPD, never 0 */
	uint32_t nb_res;
	/* by rte_acl userdata = rule id + 1; [0] is the default action */
	uint32_t res[];
};

struct ss_spd {
	char name[SS_SPD_NAME_LEN];
	int socket;
	uint32_t def_res;
	struct ss_spd_rule *rules;	/* by id, never reused */
	uint8_t *deleted;
	uint32_t nb_ids;
	struct ss_spd_snapshot *cur;	/* workers: acquire load */
	struct ss_spd_snapshot *pending;
	uint64_t gen_seq;		/* last snapshot generation */
	uint64_t *hits[RTE_MAX_LCORE];
};

/* A worker's cache of IPv4 results by exact 5-tuple: entries of an older
 * snapshot (other gen) never match, so a commit needs no flush. */
#define SPD_CACHE_BITS 9
#define SPD_CACHE_SIZE (1u << SPD_CACHE_BITS)

struct spd_cache_ent {
	uint64_t w0, w1;		/* struct key4 (see key4_words()) */
	uint64_t gen;			/* 0: empty */
	uint32_t r;			/* rte_acl userdata: rule id + 1 */
};

struct ss_spd_cache {
	struct spd_cache_ent e[SPD_CACHE_SIZE];
	uint64_t hit, miss;
};

static uint32_t acl_seq;

const char *
ss_spd_action_name(enum ss_spd_action a)
{
	switch (a) {
	case SS_SPD_PROTECT:
		return "protect";
	case SS_SPD_BYPASS:
		return "bypass";
	case SS_SPD_DISCARD:
		return "discard";
	}
	return "?";
}

struct ss_spd *
ss_spd_create(const char *name, int socket)
{
	struct ss_spd *spd;

	if (name == NULL || strlen(name) >= SS_SPD_NAME_LEN) {
		rte_errno = EINVAL;
		return NULL;
	}
	spd = rte_zmalloc_socket("ss_spd", sizeof(*spd), 0, socket);
	if (spd == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	spd->rules = rte_zmalloc_socket("ss_spd_rules",
		sizeof(spd->rules[0]) * SS_SPD_MAX_RULES, 0, socket);
	spd->deleted = rte_zmalloc_socket("ss_spd_del", SS_SPD_MAX_RULES, 0,
		socket);
	if (spd->rules == NULL || spd->deleted == NULL) {
		rte_free(spd->rules);
		rte_free(spd->deleted);
		rte_free(spd);
		rte_errno = ENOMEM;
		return NULL;
	}
	strcpy(spd->name, name);
	spd->socket = socket;
	spd->def_res = SS_SPD_RES(SS_SPD_BYPASS, 0);
	return spd;
}

void
ss_spd_snapshot_free(void *old)
{
	struct ss_spd_snapshot *s = old;

	if (s == NULL)
		return;
	rte_acl_free(s->acl4);
	rte_acl_free(s->acl6);
	rte_free(s);
}

void
ss_spd_destroy(struct ss_spd *spd)
{
	unsigned int i;

	if (spd == NULL)
		return;
	ss_spd_snapshot_free(spd->cur);
	ss_spd_snapshot_free(spd->pending);
	for (i = 0; i < RTE_MAX_LCORE; i++)
		rte_free(spd->hits[i]);
	rte_free(spd->rules);
	rte_free(spd->deleted);
	rte_free(spd);
}

static int
action_ok(enum ss_spd_action a, uint32_t tunnel)
{
	if (a != SS_SPD_PROTECT && a != SS_SPD_BYPASS && a != SS_SPD_DISCARD)
		return 0;
	return a != SS_SPD_PROTECT || tunnel <= SS_SPD_TUNNEL_MAX;
}

int
ss_spd_set_default(struct ss_spd *spd, enum ss_spd_action action,
	uint32_t tunnel)
{
	if (spd == NULL || !action_ok(action, tunnel))
		return -EINVAL;
	spd->def_res = SS_SPD_RES(action, action == SS_SPD_PROTECT ?
		tunnel : 0);
	return 0;
}

static void
prefix_clear_host(struct ss_prefix *p)
{
	unsigned int i;

	if (p->addr.family == AF_INET) {
		const uint32_t mask = p->len == 0 ? 0 :
			UINT32_MAX << (32 - p->len);

		p->addr.v4 = rte_cpu_to_be_32(rte_be_to_cpu_32(p->addr.v4) &
			mask);
		return;
	}
	for (i = 0; i < 16; i++) {
		const int keep = (int)p->len - 8 * (int)i;

		if (keep <= 0)
			p->addr.v6[i] = 0;
		else if (keep < 8)
			p->addr.v6[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

static int
ports_allowed(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP ||
		proto == PROTO_SCTP || proto == PROTO_ICMP ||
		proto == PROTO_ICMPV6;
}

static int
rule_check(const struct ss_spd_rule *r, const char **why)
{
	const uint8_t amax = r->family == AF_INET ? 32 : 128;

	*why = NULL;
	if (r->family != AF_INET && r->family != AF_INET6)
		*why = "family must be AF_INET or AF_INET6";
	else if (r->src.addr.family != r->family ||
			r->dst.addr.family != r->family)
		*why = "src/dst family differs from the rule's";
	else if (r->src.len > amax || r->dst.len > amax)
		*why = "prefix length too long";
	else if (r->priority > SS_SPD_PRIO_MAX)
		*why = "priority above 65535";
	else if (r->sport_lo > r->sport_hi || r->dport_lo > r->dport_hi)
		*why = "port range low above high";
	else if (!ports_allowed(r->proto) && (r->sport_lo != 0 ||
			r->sport_hi != 65535 || r->dport_lo != 0 ||
			r->dport_hi != 65535))
		*why = "ports need proto tcp, udp, sctp, icmp or icmpv6";
	else if (!action_ok(r->action, r->tunnel))
		*why = "bad action or tunnel value";
	return *why == NULL ? 0 : -EINVAL;
}

static int
find_name(const struct ss_spd *spd, const char *name)
{
	uint32_t i;

	for (i = 0; i < spd->nb_ids; i++)
		if (!spd->deleted[i] && strcmp(spd->rules[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
ss_spd_add(struct ss_spd *spd, const struct ss_spd_rule *r)
{
	struct ss_spd_rule *nr;
	const char *why;

	if (spd == NULL || r == NULL)
		return -EINVAL;
	if (rule_check(r, &why) != 0) {
		SS_SPD_LOG(ERR, "%s: rule \"%.*s\": %s", spd->name,
			SS_SPD_NAME_LEN, r->name, why);
		return -EINVAL;
	}
	if (memchr(r->name, '\0', sizeof(r->name)) == NULL)
		return -EINVAL;
	if (r->name[0] != '\0' && find_name(spd, r->name) >= 0) {
		SS_SPD_LOG(ERR, "%s: rule \"%s\" already exists", spd->name,
			r->name);
		return -EINVAL;
	}
	if (spd->nb_ids >= SS_SPD_MAX_RULES)
		return -ENOSPC;
	nr = &spd->rules[spd->nb_ids];
	*nr = *r;
	if (nr->action != SS_SPD_PROTECT)
		nr->tunnel = 0;
	prefix_clear_host(&nr->src);
	prefix_clear_host(&nr->dst);
	spd->deleted[spd->nb_ids] = 0;
	return (int)spd->nb_ids++;
}

int
ss_spd_find(const struct ss_spd *spd, const char *name)
{
	const int i = spd == NULL || name == NULL || name[0] == '\0' ? -1 :
		find_name(spd, name);

	return i < 0 ? -ENOENT : i;
}

int
ss_spd_del(struct ss_spd *spd, const char *name)
{
	const int i = spd == NULL || name == NULL || name[0] == '\0' ? -1 :
		find_name(spd, name);

	if (i < 0)
		return -ENOENT;
	spd->deleted[i] = 1;
	return 0;
}

unsigned int
ss_spd_count(const struct ss_spd *spd)
{
	unsigned int i, n = 0;

	for (i = 0; i < spd->nb_ids; i++)
		n += !spd->deleted[i];
	return n;
}

/* Lower priority value first, then specificity (see ss_spd_rule). The
 * result fits rte_acl's 1..2^29-1 range. */
static int32_t
acl_priority(const struct ss_spd_rule *r)
{
	uint32_t spec = (r->src.len + r->dst.len) * 8u;

	spec += r->proto != 0 ? 4 : 0;
	spec += (r->sport_lo != 0 || r->sport_hi != 65535) ? 2 : 0;
	spec += (r->dport_lo != 0 || r->dport_hi != 65535) ? 1 : 0;
	return (int32_t)((SS_SPD_PRIO_MAX - r->priority) * 8192u + spec + 1);
}

static void
mask_field(struct rte_acl_field *f, const uint8_t *a, uint8_t len)
{
	uint32_t v;

	memcpy(&v, a, 4);
	f->value.u32 = rte_be_to_cpu_32(v);
	f->mask_range.u32 = len;
}

static void
rule_common(struct rte_acl_field *proto, struct rte_acl_field *sp,
	struct rte_acl_field *dp, const struct ss_spd_rule *r)
{
	proto->value.u8 = r->proto;
	proto->mask_range.u8 = r->proto != 0 ? 0xff : 0;
	sp->value.u16 = r->sport_lo;
	sp->mask_range.u16 = r->sport_hi;
	dp->value.u16 = r->dport_lo;
	dp->mask_range.u16 = r->dport_hi;
}

static void
rule_to_acl4(struct acl4_rule *a, const struct ss_spd_rule *r, uint32_t id)
{
	memset(a, 0, sizeof(*a));
	a->data.category_mask = 1;
	a->data.priority = acl_priority(r);
	a->data.userdata = id + 1;
	rule_common(&a->field[F4_PROTO], &a->field[F4_SPORT],
		&a->field[F4_DPORT], r);
	mask_field(&a->field[F4_SRC], (const uint8_t *)&r->src.addr.v4,
		r->src.len);
	mask_field(&a->field[F4_DST], (const uint8_t *)&r->dst.addr.v4,
		r->dst.len);
}

static uint8_t
part_len(uint8_t len, unsigned int i)
{
	const int l = (int)len - 32 * (int)i;

	return l <= 0 ? 0 : l >= 32 ? 32 : (uint8_t)l;
}

static void
rule_to_acl6(struct acl6_rule *a, const struct ss_spd_rule *r, uint32_t id)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->data.category_mask = 1;
	a->data.priority = acl_priority(r);
	a->data.userdata = id + 1;
	rule_common(&a->field[F6_PROTO], &a->field[F6_SPORT],
		&a->field[F6_DPORT], r);
	for (i = 0; i < 4; i++) {
		mask_field(&a->field[F6_SRC0 + i], r->src.addr.v6 + 4 * i,
			part_len(r->src.len, i));
		mask_field(&a->field[F6_DST0 + i], r->dst.addr.v6 + 4 * i,
			part_len(r->dst.len, i));
	}
}

static int
build_family(struct ss_spd *spd, int family, struct rte_acl_ctx **out)
{
	const size_t rsz = family == AF_INET ? sizeof(struct acl4_rule) :
		sizeof(struct acl6_rule);
	struct rte_acl_param prm;
	struct rte_acl_config cfg;
	struct rte_acl_ctx *ctx;
	char name[RTE_ACL_NAMESIZE];
	uint8_t *buf;
	uint32_t i, n = 0;
	int rc;

	*out = NULL;
	for (i = 0; i < spd->nb_ids; i++)
		n += !spd->deleted[i] && spd->rules[i].family == family;
	if (n == 0)
		return 0;
	buf = rte_zmalloc("ss_spd_build", rsz * n, 0);
	if (buf == NULL)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < spd->nb_ids; i++) {
		if (spd->deleted[i] || spd->rules[i].family != family)
			continue;
		if (family == AF_INET)
			rule_to_acl4((struct acl4_rule *)(buf + rsz * n),
				&spd->rules[i], i);
		else
			rule_to_acl6((struct acl6_rule *)(buf + rsz * n),
				&spd->rules[i], i);
		n++;
	}
	/* rte_acl_create() returns an existing context of the same name:
	 * every build needs a name of its own. */
	snprintf(name, sizeof(name), "ss_spd%c_%u",
		family == AF_INET ? '4' : '6',
		__atomic_fetch_add(&acl_seq, 1, __ATOMIC_RELAXED));
	memset(&prm, 0, sizeof(prm));
	prm.name = name;
	prm.socket_id = spd->socket;
	prm.rule_size = (uint32_t)rsz;
	prm.max_rule_num = n;
	ctx = rte_acl_create(&prm);
	if (ctx == NULL) {
		rte_free(buf);
		return -(rte_errno != 0 ? rte_errno : ENOMEM);
	}
	rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)buf, n);
	rte_free(buf);
	if (rc == 0) {
		if (family == AF_INET)
			acl_defs4(&cfg);
		else
			acl_defs6(&cfg);
		rc = rte_acl_build(ctx, &cfg);
	}
	if (rc != 0) {
		rte_acl_free(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

int
ss_spd_build(struct ss_spd *spd)
{
	struct ss_spd_snapshot *s;
	uint32_t i;
	int rc;

	if (spd == NULL)
		return -EINVAL;
	s = rte_zmalloc_socket("ss_spd_snap", sizeof(*s) +
		sizeof(s->res[0]) * (spd->nb_ids + 1), RTE_CACHE_LINE_SIZE,
		spd->socket);
	if (s == NULL)
		return -ENOMEM;
	s->nb_res = spd->nb_ids + 1;
	s->gen = ++spd->gen_seq;
	s->res[0] = spd->def_res;
	for (i = 0; i < spd->nb_ids; i++)
		s->res[i + 1] = SS_SPD_RES(spd->rules[i].action,
			spd->rules[i].tunnel);
	rc = build_family(spd, AF_INET, &s->acl4);
	if (rc == 0)
		rc = build_family(spd, AF_INET6, &s->acl6);
	if (rc != 0) {
		SS_SPD_LOG(ERR, "%s: build failed: %s", spd->name,
			strerror(-rc));
		ss_spd_snapshot_free(s);
		return rc;
	}
	ss_spd_snapshot_free(spd->pending);
	spd->pending = s;
	return 0;
}

int
ss_spd_commit(struct ss_spd *spd, void **old)
{
	struct ss_spd_snapshot *prev;

	if (spd == NULL || old == NULL)
		return -EINVAL;
	if (spd->pending == NULL)
		return -ENOENT;
	prev = __atomic_exchange_n(&spd->cur, spd->pending, __ATOMIC_ACQ_REL);
	spd->pending = NULL;
	*old = prev;
	return 0;
}

const struct ss_spd_snapshot *
ss_spd_snapshot_get(const struct ss_spd *spd)
{
	return __atomic_load_n(&spd->cur, __ATOMIC_ACQUIRE);
}

uint64_t *
ss_spd_hits_alloc(struct ss_spd *spd, unsigned int slot)
{
	uint64_t *h;

	if (spd == NULL || slot >= RTE_MAX_LCORE) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (spd->hits[slot] != NULL)
		return spd->hits[slot];
	h = rte_zmalloc_socket("ss_spd_hits", sizeof(*h) * SS_SPD_HITS_LEN,
		RTE_CACHE_LINE_SIZE, slot < RTE_MAX_LCORE &&
		rte_lcore_is_enabled(slot) ?
		(int)rte_lcore_to_socket_id(slot) : spd->socket);
	if (h == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	__atomic_store_n(&spd->hits[slot], h, __ATOMIC_RELEASE);
	return h;
}

static uint64_t
hits_sum(const struct ss_spd *spd, uint32_t idx)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++) {
		const uint64_t *h = __atomic_load_n(&spd->hits[i],
			__ATOMIC_ACQUIRE);

		if (h != NULL)
			sum += __atomic_load_n(&h[idx], __ATOMIC_RELAXED);
	}
	return sum;
}

void
ss_spd_hits_other(const struct ss_spd *spd, uint64_t *dflt,
	uint64_t *malformed)
{
	if (dflt != NULL)
		*dflt = hits_sum(spd, 0);
	if (malformed != NULL)
		*malformed = hits_sum(spd, SS_SPD_HITS_MALFORMED);
}

int
ss_spd_walk(const struct ss_spd *spd,
	int (*cb)(const struct ss_spd_rule *r, uint64_t hits, void *arg),
	void *arg)
{
	uint32_t i;
	int rc;

	for (i = 0; i < spd->nb_ids; i++) {
		if (spd->deleted[i])
			continue;
		rc = cb(&spd->rules[i], hits_sum(spd, i + 1), arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- lookup ----------------------------------------------------------- */

static inline uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/*
 * Ports (network order) of the L4 header at l4off, for protocols that
 * have them; ICMP: type and code. 0 = fine, -1 = header truncated.
 */
static inline int
read_ports(const struct rte_mbuf *m, uint32_t l4off, uint32_t end,
	uint8_t proto, uint16_t *sport, uint16_t *dport)
{
	uint8_t buf[4];
	const uint8_t *p;

	*sport = 0;
	*dport = 0;
	switch (proto) {
	case PROTO_TCP:
	case PROTO_UDP:
	case PROTO_SCTP:
		if (l4off + 4 > end)
			return -1;
		p = rte_pktmbuf_read(m, l4off, 4, buf);
		*sport = rd16(p);
		*dport = rd16(p + 2);
		return 0;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		if (l4off + 2 > end)
			return -1;
		p = rte_pktmbuf_read(m, l4off, 2, buf);
		/* keys are network order: one byte in the low byte's place */
		*sport = rte_cpu_to_be_16(p[0]);
		*dport = rte_cpu_to_be_16(p[1]);
		return 0;
	default:
		return 0;
	}
}

/* 4: IPv4 key filled, 6: IPv6 key filled, 0: malformed. */
static inline int
make_key(const struct rte_mbuf *m, struct key4 *k4, struct key6 *k6)
{
	const uint32_t off = m->l2_len;
	uint8_t ipbuf[40], xbuf[8];
	const uint8_t *ip, *x;
	uint32_t end, l4off;
	uint8_t proto;
	unsigned int i;

	ip = rte_pktmbuf_read(m, off, 20, ipbuf);
	if (ip == NULL)
		return 0;
	if ((ip[0] >> 4) == 4) {
		const uint32_t ihl = (ip[0] & 0xf) * 4u;
		const uint32_t tot = rte_be_to_cpu_16(rd16(ip + 2));

		if (ihl < 20 || tot < ihl || off + tot > m->pkt_len)
			return 0;
		end = off + tot;
		k4->proto = ip[9];
		/* the cache compares the whole key, pad bytes included */
		memset(k4->pad, 0, sizeof(k4->pad));
		memcpy(&k4->src, ip + 12, 4);
		memcpy(&k4->dst, ip + 16, 4);
		if (rte_be_to_cpu_16(rd16(ip + 6)) & 0x1fff) {
			/* non-first fragment: no L4 header */
			k4->sport = 0;
			k4->dport = 0;
			return 4;
		}
		if (read_ports(m, off + ihl, end, k4->proto, &k4->sport,
				&k4->dport) != 0)
			return 0;
		return 4;
	}
	if ((ip[0] >> 4) != 6)
		return 0;
	ip = rte_pktmbuf_read(m, off, 40, ipbuf);
	if (ip == NULL)
		return 0;
	end = off + 40 + rte_be_to_cpu_16(rd16(ip + 4));
	if (end > m->pkt_len)
		return 0;
	memcpy(k6->src, ip + 8, 16);
	memcpy(k6->dst, ip + 24, 16);
	proto = ip[6];
	l4off = off + 40;
	for (i = 0; i < 8; i++) {
		if (proto == 44) {		/* fragment */
			if (l4off + 8 > end)
				return 0;
			x = rte_pktmbuf_read(m, l4off, 8, xbuf);
			proto = x[0];
			l4off += 8;
			if (rte_be_to_cpu_16(rd16(x + 2)) & 0xfff8) {
				k6->proto = proto;
				k6->sport = 0;
				k6->dport = 0;
				return 6;
			}
		} else if (proto == 0 || proto == 43 || proto == 60 ||
				proto == 51) {
			if (l4off + 2 > end)
				return 0;
			x = rte_pktmbuf_read(m, l4off, 2, xbuf);
			l4off += proto == 51 ? (x[1] + 2u) * 4 :
				(x[1] + 1u) * 8;
			proto = x[0];
		} else {
			break;
		}
	}
	if (i == 8 || l4off > end)
		return 0;
	k6->proto = proto;
	if (read_ports(m, l4off, end, proto, &k6->sport, &k6->dport) != 0)
		return 0;
	return 6;
}

/*
 * The cache key is struct key4 itself read as two 64-bit words (the pad
 * bytes are zero): word 0 is proto | src << 32, word 1 dst | sport << 32 |
 * dport << 48. One compare per word, and a miss hands the same bytes to
 * rte_acl.
 */
static inline void
key4_words(const struct key4 *k, uint64_t *w0, uint64_t *w1)
{
	memcpy(w0, k, 8);
	memcpy(w1, (const uint8_t *)k + 8, 8);
}

static inline struct spd_cache_ent *
cache_ent(struct ss_spd_cache *c, uint64_t w0, uint64_t w1)
{
	/* Multiplicative: the top bits of a product depend on every bit
	 * of its inputs, so addresses, ports and protocol all spread. */
	const uint64_t h = (w0 ^ (w1 * 0x9e3779b97f4a7c15ull)) *
		0xc2b2ae3d27d4eb4full;

	return &c->e[h >> (64 - SPD_CACHE_BITS)];
}

static inline bool
cache_match(const struct spd_cache_ent *e, uint64_t gen, uint64_t w0,
	uint64_t w1)
{
	return ((e->w0 ^ w0) | (e->w1 ^ w1) | (e->gen ^ gen)) == 0;
}

/* L4 header an IPv4 key reads, by protocol: see read_ports(). */
enum { L4_NONE, L4_PORTS, L4_ICMP };

static const uint8_t l4_kind[256] = {
	[PROTO_TCP] = L4_PORTS,
	[PROTO_UDP] = L4_PORTS,
	[PROTO_SCTP] = L4_PORTS,
	[PROTO_ICMP] = L4_ICMP,
	[PROTO_ICMPV6] = L4_ICMP,
};

/*
 * make_key() for the common case, straight from the first segment: an
 * IPv4 header without options and 4 bytes after it in the segment.
 * Returns 1 and the key words, 0 if this is not that case (make_key()
 * then decides), -1 if malformed (with the same checks as make_key()).
 */
static inline int
make_key4_fast(const struct rte_mbuf *m, uint64_t *w0, uint64_t *w1)
{
	const uint8_t *ip;
	uint32_t off, tot, src, dst, ports;
	uint16_t frag;
	uint8_t kind;

	if (likely((m->packet_type & SS_SPD_PTYPE_IP4_CHECKED) &&
			m->l2_len == 14)) {
		/* Checked by classification: IHL 5, tot >= 20, the packet
		 * whole in the first segment, so the L4 reads below need
		 * only tot (where make_key() would take it, it gives the
		 * same key, or the same "malformed"). The header is at 14,
		 * a constant offset. */
		ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
		tot = m->pkt_len - 14;
		goto checked;
	}
	off = m->l2_len;
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	if (unlikely(off + 24 > m->data_len || ip[0] != 0x45))
		return 0;
	tot = rte_be_to_cpu_16(rd16(ip + 2));
	/* tot < 20 wraps around: one compare for both of make_key()'s
	 * (pkt_len >= data_len >= off + 24) */
	if (unlikely(tot - 20 > m->pkt_len - off - 20))
		return -1;
checked:
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	/* non-first fragment: no L4 header, ports 0 */
	frag = rd16(ip + 6) & RTE_BE16(0x1fff);
	kind = frag != 0 ? L4_NONE : l4_kind[ip[9]];
	*w0 = (uint64_t)ip[9] | (uint64_t)src << 32;
	if (likely(kind == L4_PORTS)) {
		if (unlikely(tot < 24))
			return -1;
		/* dst | sport << 32 | dport << 48: the 8 bytes from the
		 * destination address on, as read */
		memcpy(w1, ip + 16, 8);
		return 1;
	}
	if (kind == L4_ICMP) {
		if (unlikely(tot < 22))
			return -1;
		/* type and code, each in the low byte's place of a
		 * network-order port */
		ports = (uint32_t)ip[20] << 8 | (uint32_t)ip[21] << 24;
	} else {
		ports = 0;
	}
	*w1 = (uint64_t)dst | (uint64_t)ports << 32;
	return 1;
}

/* Inlined into each caller's case (cache and hit counters or not), so
 * that the per-packet loop tests neither pointer. */
static __rte_always_inline void
lookup_chunk(const struct ss_spd_snapshot *s, struct ss_spd_cache *c,
	struct rte_mbuf **m, uint16_t n, uint32_t res[], uint64_t *hits)
{
	struct key4 k4[SS_SPD_CHUNK];
	struct key6 k6[SS_SPD_CHUNK];
	const uint8_t *d4[SS_SPD_CHUNK], *d6[SS_SPD_CHUNK];
	uint32_t r4[SS_SPD_CHUNK], r6[SS_SPD_CHUNK];
	struct spd_cache_ent *e4[SS_SPD_CHUNK];
	uint16_t i4[SS_SPD_CHUNK], i6[SS_SPD_CHUNK];
	const uint64_t gen = s->gen;
	uint16_t i, n4 = 0, n6 = 0, nbad = 0;

	/* No prefetch: classification and steering have just read
	 * these headers. */
	for (i = 0; i < n; i++) {
		uint64_t w0, w1;
		int fam;

		fam = make_key4_fast(m[i], &w0, &w1);
		if (likely(fam > 0)) {
			fam = 4;
		} else if (fam == 0) {
			fam = make_key(m[i], &k4[n4], &k6[n6]);
			if (fam == 4)
				key4_words(&k4[n4], &w0, &w1);
		} else {
			fam = 0;
		}
		if (fam == 4) {
			if (c != NULL) {
				struct spd_cache_ent *e = cache_ent(c, w0, w1);

				if (cache_match(e, gen, w0, w1)) {
					/* once: the stores below may alias
					 * the entry */
					const uint32_t r = e->r;

					res[i] = s->res[r];
					if (hits != NULL)
						hits[r]++;
					continue;
				}
				e4[n4] = e;
			}
			/* rte_acl's copy of the key: only on a miss */
			memcpy(&k4[n4], &w0, 8);
			memcpy((uint8_t *)&k4[n4] + 8, &w1, 8);
			d4[n4] = (const uint8_t *)&k4[n4];
			i4[n4++] = i;
		} else if (fam == 6) {
			d6[n6] = (const uint8_t *)&k6[n6];
			i6[n6++] = i;
		} else {
			res[i] = SS_SPD_RES_MALFORMED;
			if (hits != NULL)
				hits[SS_SPD_HITS_MALFORMED]++;
			nbad++;
		}
	}
	/* the hits: every packet but the misses, IPv6 and malformed ones
	 * (counted on their rarer ways rather than each hit) */
	if (c != NULL)
		c->hit += n - n4 - n6 - nbad;
	if (n4 != 0) {
		if (s->acl4 != NULL)
			rte_acl_classify(s->acl4, d4, r4, n4, 1);
		else
			memset(r4, 0, sizeof(r4[0]) * n4);
		for (i = 0; i < n4; i++) {
			res[i4[i]] = s->res[r4[i]];
			if (hits != NULL)
				hits[r4[i]]++;
		}
		if (c != NULL) {
			for (i = 0; i < n4; i++) {
				struct spd_cache_ent *e = e4[i];

				key4_words(&k4[i], &e->w0, &e->w1);
				e->gen = gen;
				e->r = r4[i];
			}
			c->miss += n4;
		}
	}
	if (n6 != 0) {
		if (s->acl6 != NULL)
			rte_acl_classify(s->acl6, d6, r6, n6, 1);
		else
			memset(r6, 0, sizeof(r6[0]) * n6);
		for (i = 0; i < n6; i++) {
			res[i6[i]] = s->res[r6[i]];
			if (hits != NULL)
				hits[r6[i]]++;
		}
	}
}

void
ss_spd_lookup_burst_cached(const struct ss_spd_snapshot *s,
	struct ss_spd_cache *cache, struct rte_mbuf **m, uint16_t n,
	uint32_t res[], uint64_t *hits)
{
	uint16_t done, c;

	if (s == NULL) {
		for (done = 0; done < n; done++)
			res[done] = SS_SPD_RES(SS_SPD_DISCARD, 0);
		return;
	}
	for (done = 0; done < n; done += c) {
		c = RTE_MIN(n - done, SS_SPD_CHUNK);
		/* the worker's case: both */
		if (likely(cache != NULL && hits != NULL))
			lookup_chunk(s, cache, m + done, c, res + done, hits);
		else
			lookup_chunk(s, cache, m + done, c, res + done,
				hits);
	}
}

void
ss_spd_lookup_burst_hits(const struct ss_spd_snapshot *s,
	struct rte_mbuf **m, uint16_t n, uint32_t res[], uint64_t *hits)
{
	ss_spd_lookup_burst_cached(s, NULL, m, n, res, hits);
}

struct ss_spd_cache *
ss_spd_cache_create(int socket)
{
	struct ss_spd_cache *c = rte_zmalloc_socket("ss_spd_cache",
		sizeof(*c), RTE_CACHE_LINE_SIZE, socket);

	if (c == NULL)
		rte_errno = ENOMEM;
	return c;
}

void
ss_spd_cache_free(struct ss_spd_cache *c)
{
	rte_free(c);
}

void
ss_spd_cache_stats(const struct ss_spd_cache *c, uint64_t *hit,
	uint64_t *miss)
{
	*hit = c != NULL ? __atomic_load_n(&c->hit, __ATOMIC_RELAXED) : 0;
	*miss = c != NULL ? __atomic_load_n(&c->miss, __ATOMIC_RELAXED) : 0;
}

void
ss_spd_lookup_burst(const struct ss_spd_snapshot *s, struct rte_mbuf **m,
	uint16_t n, uint32_t res[])
{
	ss_spd_lookup_burst_hits(s, m, n, res, NULL);
}
