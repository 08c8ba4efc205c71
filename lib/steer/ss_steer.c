/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

#include "ss_steer.h"

RTE_LOG_REGISTER(ss_steer_logtype, shardsec.steer, INFO);
#define SS_STEER_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_steer_logtype, "steer: " fmt "\n", \
		##__VA_ARGS__)

#define IPPROTO_NUM_HOPOPTS 0
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_ROUTING 43
#define IPPROTO_NUM_FRAGMENT 44
#define IPPROTO_NUM_ESP 50
#define IPPROTO_NUM_AH 51
#define IPPROTO_NUM_DSTOPTS 60
#define IPPROTO_NUM_SCTP 132

/* More IPv6 extension headers than this is not traffic we serve. */
#define SS_STEER_MAX_EXT 8

/*
 * Big-endian fields from their bytes: the compiler turns these into a
 * load and a byte swap that it can fold into compares and masks
 * (rte_be_to_cpu_*() are asm statements it cannot see through).
 */
static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * CRC32-C of 8 bytes: the value rte_hash_crc_8byte() gives with any of
 * its implementations, without its per-call test of which one it picked
 * where the build has SSE4.2 anyway.
 */
static __rte_always_inline uint32_t
crc32c_8(uint64_t data, uint32_t init)
{
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
	return (uint32_t)_mm_crc32_u64(init, data);
#else
	return rte_hash_crc_8byte(data, init);
#endif
}

uint32_t
ss_steer_spi_make(uint16_t id, uint8_t bits, uint32_t random)
{
	uint32_t v = ss_steer_id_set(random, id, bits);

	/* Only id 0 can land in 0..255; moving up by 256 keeps id 0. */
	if (v < 256)
		v += 256;
	return v;
}

uint32_t
ss_steer_teid_make(uint16_t id, uint8_t bits, uint32_t random)
{
	uint32_t v = ss_steer_id_set(random, id, bits);

	if (v == 0)
		v = 1;
	return v;
}

uint32_t
ss_steer_vtag_make(uint16_t id, uint8_t bits, uint32_t random)
{
	/* Same rule as TEIDs: 0 means "no tag yet" (INIT). */
	return ss_steer_teid_make(id, bits, random);
}

struct ss_steer_ctx *
ss_steer_ctx_create(uint8_t bits, const uint16_t ids[], uint16_t nb_servers)
{
	uint16_t i;

	/* Every index is live here: an id that does not fit is an error,
	 * not a free index. */
	for (i = 0; ids != NULL && i < nb_servers &&
			bits <= SS_STEER_MAX_BITS; i++)
		if (ids[i] >= (1u << bits)) {
			SS_STEER_LOG(ERR, "instance-id %u: does not fit in "
				"instance_bits", ids[i]);
			rte_errno = EINVAL;
			return NULL;
		}
	return ss_steer_ctx_create_slots(bits, ids, nb_servers);
}

struct ss_steer_ctx *
ss_steer_ctx_create_slots(uint8_t bits, const uint16_t ids[],
	uint16_t nb_slots)
{
	struct ss_steer_ctx *ctx;
	uint16_t i;

	if (bits < 1 || bits > SS_STEER_MAX_BITS || nb_slots == 0 ||
			nb_slots > SS_STEER_MAX_SERVERS || ids == NULL) {
		SS_STEER_LOG(ERR, "bad context: bits %u, %u servers",
			bits, nb_slots);
		rte_errno = EINVAL;
		return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ctx->bits = bits;
	ctx->nb_slots = nb_slots;
	for (i = 0; i < SS_STEER_MAX_IDS; i++)
		ctx->server_of_id[i] = SS_STEER_OWNER_NONE;
	for (i = 0; i < SS_STEER_MAX_SERVERS; i++)
		ctx->id_of_server[i] = SS_STEER_OWNER_NONE;
	for (i = 0; i < nb_slots; i++) {
		if (ids[i] == SS_STEER_OWNER_NONE)
			continue;
		if (ids[i] >= (1u << bits) ||
				ctx->server_of_id[ids[i]] !=
				SS_STEER_OWNER_NONE) {
			SS_STEER_LOG(ERR, "instance-id %u: %s", ids[i],
				ids[i] >= (1u << bits) ?
				"does not fit in instance_bits" :
				"given to two servers");
			free(ctx);
			rte_errno = EINVAL;
			return NULL;
		}
		ctx->server_of_id[ids[i]] = i;
		ctx->id_of_server[i] = ids[i];
		ctx->hash_map[ctx->nb_servers++] = i;
	}
	if (ctx->nb_servers == 0) {
		SS_STEER_LOG(ERR, "bad context: no live server in %u",
			nb_slots);
		free(ctx);
		rte_errno = EINVAL;
		return NULL;
	}
	return ctx;
}

void
ss_steer_ctx_free(struct ss_steer_ctx *ctx)
{
	free(ctx);
}

int
ss_steer_hash_map_set(struct ss_steer_ctx *ctx, uint16_t slot,
	uint16_t server)
{
	if (ctx == NULL || slot >= ctx->nb_servers ||
			server >= ctx->nb_slots ||
			ctx->id_of_server[server] == SS_STEER_OWNER_NONE)
		return -EINVAL;
	ctx->hash_map[slot] = server;
	return 0;
}

/* A slot's hash for one instance-id: murmur3's finaliser over both, so
 * that every id wins about the same share of the slots. */
static uint32_t
rendezvous_hash(uint16_t slot, uint16_t id)
{
	uint32_t h = ((uint32_t)slot << 16 | id) * 0x9e3779b1u;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

int
ss_steer_hash_rendezvous(struct ss_steer_ctx *ctx, uint16_t nb_slots,
	const uint16_t weight[])
{
	double score, bs;
	uint16_t s, i, best;

	if (ctx == NULL || weight == NULL || nb_slots == 0 ||
			nb_slots > SS_STEER_MAX_SERVERS)
		return -EINVAL;
	for (i = 0; i < ctx->nb_slots; i++)
		if (weight[i] != 0 &&
				ctx->id_of_server[i] != SS_STEER_OWNER_NONE)
			break;
	if (i == ctx->nb_slots)
		return -EINVAL;
	for (s = 0; s < nb_slots; s++) {
		best = SS_STEER_OWNER_NONE;
		bs = 0;
		for (i = 0; i < ctx->nb_slots; i++) {
			if (weight[i] == 0 ||
					ctx->id_of_server[i] == SS_STEER_OWNER_NONE)
				continue;
			/* u in (0, 1): never 0, whose log has no score */
			score = (double)weight[i] / -log(((double)
				rendezvous_hash(s, ctx->id_of_server[i]) +
				0.5) / 4294967296.0);
			/* ties (rare) to the lower id: independent of
			 * the order of the indexes */
			if (best == SS_STEER_OWNER_NONE || score > bs ||
					(score == bs && ctx->id_of_server[i] <
					ctx->id_of_server[best])) {
				best = i;
				bs = score;
			}
		}
		ctx->hash_map[s] = best;
	}
	ctx->nb_servers = nb_slots;
	return 0;
}

const char *
ss_steer_kind_name(unsigned int kind)
{
	static const char *const names[SS_STEER_KIND_MAX] = {
		[SS_STEER_ESP] = "esp",
		[SS_STEER_GTPU] = "gtpu",
		[SS_STEER_SCTP] = "sctp",
		[SS_STEER_HASH] = "hash",
		[SS_STEER_BAD] = "bad",
	};

	return kind < SS_STEER_KIND_MAX ? names[kind] : "?";
}

static inline uint32_t
fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/* An IPv6 address folded to 32 bits for hash_fold(). */
static inline uint32_t
fold16(const uint8_t *addr)
{
	/* aligned copy: rte_hash_crc() would load unaligned u64 */
	uint64_t a[2];

	memcpy(a, addr, 16);
	return crc32c_8(a[1], crc32c_8(a[0], 0x5eed));
}

/*
 * Symmetric by construction: each endpoint is folded to (address, port),
 * and the two endpoints are hashed in a canonical (sorted) order.
 * fa, fb: the addresses (IPv4: as read; IPv6: fold16()); ports host order.
 */
static __rte_always_inline uint32_t
hash_fold(uint32_t fa, uint32_t fb, uint16_t sport, uint16_t dport,
	uint8_t proto)
{
	const uint64_t ka = (uint64_t)fa << 16 | sport;
	const uint64_t kb = (uint64_t)fb << 16 | dport;
	uint32_t h;

	h = crc32c_8(RTE_MIN(ka, kb), proto);
	h = crc32c_8(RTE_MAX(ka, kb), h);
	return fmix32(h);
}

static inline uint32_t
hash_tuple(const uint8_t *src, const uint8_t *dst, uint8_t alen,
	uint16_t sport, uint16_t dport, uint8_t proto)
{
	uint32_t fa, fb;

	if (alen == 4) {
		memcpy(&fa, src, 4);
		memcpy(&fb, dst, 4);
	} else {
		fa = fold16(src);
		fb = fold16(dst);
	}
	return hash_fold(fa, fb, sport, dport, proto);
}

uint32_t
ss_steer_hash_tuple(const void *src, const void *dst, uint8_t alen,
	uint16_t sport, uint16_t dport, uint8_t proto)
{
	return hash_tuple(src, dst, alen, sport, dport, proto);
}

/*
 * What the per-packet code needs of the context, read once per burst:
 * stores to owner[] (uint16_t) and kind[] (uint8_t) may alias the
 * context's fields, so the compiler would reload them for every packet.
 */
struct steer_burst {
	const uint16_t *server_of_id;
	const uint16_t *hash_map;
	uint32_t id_shift;	/* 32 - bits */
	uint32_t nb_servers;
	uint16_t owner1;	/* hash_map[0], the hash's owner when one */
};

static __rte_always_inline uint16_t
owner_by_id(const struct steer_burst *b, uint32_t v,
	struct ss_steer_stats *st)
{
	const uint16_t o = b->server_of_id[v >> b->id_shift];

	st->unknown_id += (o == SS_STEER_OWNER_NONE);
	return o;
}

static __rte_always_inline uint16_t
owner_by_hash(const struct steer_burst *b, uint32_t h)
{
	return b->hash_map[((uint64_t)h * b->nb_servers) >> 32];
}

/*
 * Header bytes at off..off+len-1, of which the caller has checked that
 * they lie within the IP length: straight from the first segment when
 * the whole IP packet is in it (the usual case), else rte_pktmbuf_read.
 */
static __rte_always_inline const uint8_t *
hdr_at(const struct rte_mbuf *m, const uint8_t *base, bool direct,
	uint32_t off, uint32_t len, uint8_t *buf)
{
	if (likely(direct))
		return base + off;
	return rte_pktmbuf_read(m, off, len, buf);
}

/* What the caller of ss_steer_classify_burst_l4 learns; nothing where
 * l4 is the constant NULL of the other entry points. */
static __rte_always_inline void
l4_set(struct ss_steer_l4 *l4, uint16_t sport, uint16_t dport,
	uint8_t proto, uint8_t flags)
{
	if (l4 != NULL) {
		l4->sport = sport;
		l4->dport = dport;
		l4->proto = proto;
		l4->flags = flags;
	}
}

/* The flow hash's owner: addresses are read (IPv6: folded) only here,
 * not for the packets that carry an id. */
static __rte_always_inline uint8_t
hash_owner(const struct steer_burst *b, const uint8_t *addr, bool v6,
	uint16_t sport, uint16_t dport, uint8_t proto, uint16_t *owner)
{
	uint32_t fa, fb;

	/* One server: the hash could only name it. */
	if (b->nb_servers == 1) {
		*owner = b->owner1;
		return SS_STEER_HASH;
	}
	if (unlikely(v6)) {
		fa = fold16(addr);
		fb = fold16(addr + 16);
	} else {
		memcpy(&fa, addr, 4);
		memcpy(&fb, addr + 4, 4);
	}
	*owner = owner_by_hash(b, hash_fold(fa, fb, sport, dport, proto));
	return SS_STEER_HASH;
}

/*
 * The L4 part of classify_one: the header at l4off of protocol proto,
 * inside the IP packet that ends at end (addr: its addresses). Inlined
 * twice, so that a packet whose header was checked before (direct true,
 * IPv4) takes a path without the tests for the other cases.
 */
static __rte_always_inline uint8_t
classify_l4(const struct steer_burst *b, const struct rte_mbuf *m,
	const uint8_t *base, bool direct, uint32_t l4off, uint32_t end,
	uint8_t proto, const uint8_t *addr, bool v6, uint16_t *owner,
	struct ss_steer_l4 *l4i, struct ss_steer_stats *st)
{
	uint8_t l4buf[20], xbuf[8];
	uint8_t flags = 0;
	const uint8_t *l4, *x;
	uint16_t sport, dport;
	uint32_t v;

	/* the common protocols first, one compare each */
	if (likely(proto == IPPROTO_NUM_UDP)) {
		if (l4off + 8 > end)
			goto bad;
		l4 = hdr_at(m, base, direct, l4off, 8, l4buf);
		sport = rd16(l4);
		dport = rd16(l4 + 2);
		l4off += 8;
		flags = SS_STEER_L4_UDP;
		if (l4i != NULL && dport == SS_STEER_UDP_IKE)
			flags |= SS_STEER_L4_IKE;
		if (dport == SS_STEER_UDP_NATT) {
			/* ESP needs SPI + sequence number; a shorter
			 * payload is a keepalive (0xff) or not ESP. */
			if (l4off + 8 <= end) {
				x = hdr_at(m, base, direct, l4off, 4, xbuf);
				v = rd32(x);
				if (v != 0) {
					*owner = owner_by_id(b, v, st);
					l4_set(l4i, sport, dport, proto, flags);
					return SS_STEER_ESP;
				}
			}
			if (l4i != NULL && l4off + 4 <= end) {
				x = hdr_at(m, base, direct, l4off, 4, xbuf);
				if (rd32(x) == 0)
					flags |= SS_STEER_L4_IKE;
			}
		} else if (dport == SS_STEER_UDP_GTPU ||
				sport == SS_STEER_UDP_GTPU) {
			if (l4off + 8 > end)
				goto bad;
			x = hdr_at(m, base, direct, l4off, 8, xbuf);
			v = rd32(x + 4);
			/* version 1, PT 1 (GTP, not GTP'), G-PDU */
			if ((x[0] & 0xf0) == 0x30 && x[1] == 0xff && v != 0) {
				*owner = owner_by_id(b, v, st);
				l4_set(l4i, sport, dport, proto, flags);
				return SS_STEER_GTPU;
			}
			st->noid_gtpu++;
		}
	} else if (proto == IPPROTO_NUM_ESP) {
		if (l4off + 8 > end)
			goto bad;
		l4 = hdr_at(m, base, direct, l4off, 4, l4buf);
		*owner = owner_by_id(b, rd32(l4), st);
		l4_set(l4i, 0, 0, proto, 0);
		return SS_STEER_ESP;
	} else if (proto == IPPROTO_NUM_TCP) {
		if (l4off + 20 > end)
			goto bad;
		l4 = hdr_at(m, base, direct, l4off, 4, l4buf);
		sport = rd16(l4);
		dport = rd16(l4 + 2);
	} else if (proto == IPPROTO_NUM_SCTP) {
		if (l4off + 12 > end)
			goto bad;
		l4 = hdr_at(m, base, direct, l4off, 8, l4buf);
		sport = rd16(l4);
		dport = rd16(l4 + 2);
		v = rd32(l4 + 4);
		if (v != 0) {
			*owner = owner_by_id(b, v, st);
			l4_set(l4i, sport, dport, proto, 0);
			return SS_STEER_SCTP;
		}
		st->noid_sctp++;
	} else {
		sport = 0;
		dport = 0;
	}
	l4_set(l4i, sport, dport, proto, flags);
	return hash_owner(b, addr, v6, sport, dport, proto, owner);

bad:
	*owner = SS_STEER_OWNER_NONE;
	return SS_STEER_BAD;
}

/*
 * One packet whose IP header starts at l2_len (inner: at the data).
 * Every header is read from the first segment or with rte_pktmbuf_read,
 * and checked against both the mbuf and the IP length, so nothing is
 * read past either.
 */
static __rte_always_inline uint8_t
classify_one(const struct steer_burst *b, const struct rte_mbuf *m,
	uint16_t *owner, struct ss_steer_l4 *l4, struct ss_steer_stats *st,
	int inner)
{
	const uint8_t *base = rte_pktmbuf_mtod(m, const uint8_t *);
	/* the one offset the checked header can be at */
	const uint32_t coff = inner ? 0 : 14;
	uint8_t ipbuf[40], xbuf[8];
	const uint8_t *ip, *x, *addr;
	uint32_t end, l4off, off;
	uint8_t proto;
	unsigned int i;
	bool v6 = false;

	if (likely((m->packet_type & SS_STEER_PTYPE_IP4_CHECKED) &&
			m->l2_len == coff)) {
		/* Checked by classification (at L2) or by lib/esp (inner,
		 * at L3): IHL 5, total length >= 20, the packet whole in
		 * the first segment and pkt_len its end; the branch below
		 * would take it as it is. */
		ip = base + coff;
		end = m->pkt_len;
		l4off = coff + 20;
		proto = ip[9];
		addr = ip + 12;
		if (rd16(ip + 6) & 0x3fff) {
			l4_set(l4, 0, 0, proto, SS_STEER_L4_FRAG);
			return hash_owner(b, addr, false, 0, 0, proto, owner);
		}
		return classify_l4(b, m, base, true, l4off, end, proto, addr,
			false, owner, l4, st);
	}
	off = inner ? 0 : m->l2_len;
	if (likely(off + 20 <= m->data_len))
		ip = base + off;
	else if ((ip = rte_pktmbuf_read(m, off, 20, ipbuf)) == NULL)
		goto bad;
	if (likely(ip[0] == 0x45)) {
		/* IPv4 without options; tot < 20 wraps around: one compare
		 * for the two below (pkt_len >= off + 20 here) */
		const uint32_t tot = rd16(ip + 2);

		if (unlikely(tot - 20 > m->pkt_len - off - 20))
			goto bad;
		end = off + tot;
		l4off = off + 20;
		proto = ip[9];
		addr = ip + 12;
		if (rd16(ip + 6) & 0x3fff)
			goto fragment;
	} else if ((ip[0] >> 4) == 4) {
		const uint32_t ihl = (ip[0] & 0xf) * 4u;
		const uint16_t tot = rd16(ip + 2);

		if (ihl < 20 || tot < ihl || off + tot > m->pkt_len)
			goto bad;
		end = off + tot;
		l4off = off + ihl;
		proto = ip[9];
		addr = ip + 12;
		if (rd16(ip + 6) & 0x3fff)
			goto fragment;
	} else if ((ip[0] >> 4) == 6) {
		ip = rte_pktmbuf_read(m, off, 40, ipbuf);
		if (ip == NULL)
			goto bad;
		end = off + 40 + rd16(ip + 4);
		if (end > m->pkt_len)
			goto bad;
		l4off = off + 40;
		proto = ip[6];
		addr = ip + 8;
		v6 = true;
		for (i = 0; i < SS_STEER_MAX_EXT; i++) {
			if (proto == IPPROTO_NUM_FRAGMENT) {
				if (l4off + 8 > end)
					goto bad;
				x = rte_pktmbuf_read(m, l4off, 8, xbuf);
				proto = x[0];
				/* offset or more-fragments set */
				if (rd16(x + 2) & 0xfff9)
					goto fragment;
				l4off += 8;
			} else if (proto == IPPROTO_NUM_HOPOPTS ||
					proto == IPPROTO_NUM_ROUTING ||
					proto == IPPROTO_NUM_DSTOPTS ||
					proto == IPPROTO_NUM_AH) {
				if (l4off + 2 > end)
					goto bad;
				x = rte_pktmbuf_read(m, l4off, 2, xbuf);
				proto = x[0];
				l4off += proto == IPPROTO_NUM_AH ?
					(x[1] + 2u) * 4 : (x[1] + 1u) * 8;
			} else {
				break;
			}
		}
		if (i == SS_STEER_MAX_EXT || l4off > end)
			goto bad;
	} else {
		goto bad;
	}

	/* every L4 read below is within end (checked first) */
	return classify_l4(b, m, base, end <= m->data_len, l4off, end, proto,
		addr, v6, owner, l4, st);

fragment:
	l4_set(l4, 0, 0, proto, SS_STEER_L4_FRAG);
	return hash_owner(b, addr, v6, 0, 0, proto, owner);

bad:
	*owner = SS_STEER_OWNER_NONE;
	return SS_STEER_BAD;
}

static __rte_always_inline void
classify_loop(const struct steer_burst *b, struct rte_mbuf **m, uint16_t n,
	uint16_t owner[], uint8_t kind[], struct ss_steer_l4 l4[],
	struct ss_steer_stats *st, int inner)
{
	unsigned int i;

	/* No prefetch: the headers are in cache already (the worker
	 * prefetched the burst for classification, or decrypted it). */
	for (i = 0; i < n; i++) {
		uint8_t k;

		k = classify_one(b, m[i], &owner[i],
			l4 != NULL ? &l4[i] : NULL, st, inner);
		kind[i] = k;
		st->kind[k]++;
	}
}

/* Inlined into each caller, so that 'inner' is a constant. */
static __rte_always_inline void
classify_burst(const struct ss_steer_ctx *ctx, struct rte_mbuf **m,
	uint16_t n, uint16_t owner[], uint8_t kind[], struct ss_steer_l4 l4[],
	struct ss_steer_stats *st, int inner)
{
	const uint32_t nb_servers = ctx->nb_servers;
	struct ss_steer_stats dummy;

	if (st == NULL) {
		memset(&dummy, 0, sizeof(dummy));
		st = &dummy;
	}
	/* One server (a worker's usual share): a loop of its own, where
	 * nb_servers is the constant 1, so that a packet without an id
	 * neither tests it nor has its ports byte-swapped for a hash. */
	if (nb_servers == 1) {
		const struct steer_burst b = {
			.server_of_id = ctx->server_of_id,
			.hash_map = ctx->hash_map,
			.id_shift = 32 - ctx->bits,
			.nb_servers = 1,
			.owner1 = ctx->hash_map[0],
		};

		classify_loop(&b, m, n, owner, kind, l4, st, inner);
	} else {
		const struct steer_burst b = {
			.server_of_id = ctx->server_of_id,
			.hash_map = ctx->hash_map,
			.id_shift = 32 - ctx->bits,
			.nb_servers = nb_servers,
		};

		classify_loop(&b, m, n, owner, kind, l4, st, inner);
	}
}

void
ss_steer_classify_burst(const struct ss_steer_ctx *ctx,
	struct rte_mbuf **m, uint16_t n, uint16_t owner[], uint8_t kind[],
	struct ss_steer_stats *st)
{
	classify_burst(ctx, m, n, owner, kind, NULL, st, 0);
}

void
ss_steer_classify_burst_l4(const struct ss_steer_ctx *ctx,
	struct rte_mbuf **m, uint16_t n, uint16_t owner[], uint8_t kind[],
	struct ss_steer_l4 l4[], struct ss_steer_stats *st)
{
	classify_burst(ctx, m, n, owner, kind, l4, st, 0);
}

void
ss_steer_classify_inner_burst(const struct ss_steer_ctx *ctx,
	struct rte_mbuf **m, uint16_t n, uint16_t owner[], uint8_t kind[],
	struct ss_steer_stats *st)
{
	classify_burst(ctx, m, n, owner, kind, NULL, st, 1);
}
