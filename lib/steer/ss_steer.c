/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

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

static inline uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_32(v);
}

static inline uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
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

/*
 * Symmetric by construction: each endpoint is folded to (address, port),
 * and the two endpoints are hashed in a canonical (sorted) order.
 */
static inline uint32_t
hash_tuple(const uint8_t *src, const uint8_t *dst, uint8_t alen,
	uint16_t sport, uint16_t dport, uint8_t proto)
{
	uint32_t fa, fb, h;
	uint64_t ka, kb;

	if (alen == 4) {
		memcpy(&fa, src, 4);
		memcpy(&fb, dst, 4);
	} else {
		/* aligned copies: rte_hash_crc() would load unaligned u64 */
		uint64_t a[2], b[2];

		memcpy(a, src, 16);
		memcpy(b, dst, 16);
		fa = rte_hash_crc_8byte(a[1], rte_hash_crc_8byte(a[0], 0x5eed));
		fb = rte_hash_crc_8byte(b[1], rte_hash_crc_8byte(b[0], 0x5eed));
	}
	ka = (uint64_t)fa << 16 | sport;
	kb = (uint64_t)fb << 16 | dport;
	h = rte_hash_crc_8byte(RTE_MIN(ka, kb), proto);
	h = rte_hash_crc_8byte(RTE_MAX(ka, kb), h);
	return fmix32(h);
}

uint32_t
ss_steer_hash_tuple(const void *src, const void *dst, uint8_t alen,
	uint16_t sport, uint16_t dport, uint8_t proto)
{
	return hash_tuple(src, dst, alen, sport, dport, proto);
}

static inline uint16_t
owner_by_id(const struct ss_steer_ctx *ctx, uint32_t v,
	struct ss_steer_stats *st)
{
	uint16_t o = ctx->server_of_id[ss_steer_id_get(v, ctx->bits)];

	st->unknown_id += (o == SS_STEER_OWNER_NONE);
	return o;
}

static inline uint16_t
owner_by_hash(const struct ss_steer_ctx *ctx, uint32_t h)
{
	return ctx->hash_map[((uint64_t)h * ctx->nb_servers) >> 32];
}

/*
 * One packet whose IP header starts at 'off'. Every header is read with
 * rte_pktmbuf_read (a plain pointer when the segment holds it) and checked
 * against both the mbuf and the IP length, so nothing is read past either.
 */
static inline uint8_t
classify_one(const struct ss_steer_ctx *ctx, const struct rte_mbuf *m,
	uint32_t off, uint16_t *owner, struct ss_steer_stats *st)
{
	uint8_t ipbuf[40], l4buf[20], xbuf[8];
	const uint8_t *ip, *l4, *src, *dst, *x;
	uint32_t end, l4off, v;
	uint16_t sport, dport;
	uint8_t proto, alen;
	unsigned int i;

	*owner = SS_STEER_OWNER_NONE;
	ip = rte_pktmbuf_read(m, off, 20, ipbuf);
	if (ip == NULL)
		return SS_STEER_BAD;
	if ((ip[0] >> 4) == 4) {
		const uint32_t ihl = (ip[0] & 0xf) * 4u;
		const uint16_t tot = rd16(ip + 2);

		if (ihl < 20 || tot < ihl || off + tot > m->pkt_len)
			return SS_STEER_BAD;
		end = off + tot;
		l4off = off + ihl;
		proto = ip[9];
		src = ip + 12;
		dst = ip + 16;
		alen = 4;
		if (rd16(ip + 6) & 0x3fff)
			goto fragment;
	} else if ((ip[0] >> 4) == 6) {
		ip = rte_pktmbuf_read(m, off, 40, ipbuf);
		if (ip == NULL)
			return SS_STEER_BAD;
		end = off + 40 + rd16(ip + 4);
		if (end > m->pkt_len)
			return SS_STEER_BAD;
		l4off = off + 40;
		proto = ip[6];
		src = ip + 8;
		dst = ip + 24;
		alen = 16;
		for (i = 0; i < SS_STEER_MAX_EXT; i++) {
			if (proto == IPPROTO_NUM_FRAGMENT) {
				if (l4off + 8 > end)
					return SS_STEER_BAD;
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
					return SS_STEER_BAD;
				x = rte_pktmbuf_read(m, l4off, 2, xbuf);
				proto = x[0];
				l4off += proto == IPPROTO_NUM_AH ?
					(x[1] + 2u) * 4 : (x[1] + 1u) * 8;
			} else {
				break;
			}
		}
		if (i == SS_STEER_MAX_EXT || l4off > end)
			return SS_STEER_BAD;
	} else {
		return SS_STEER_BAD;
	}

	switch (proto) {
	case IPPROTO_NUM_ESP:
		if (l4off + 8 > end)
			return SS_STEER_BAD;
		l4 = rte_pktmbuf_read(m, l4off, 4, l4buf);
		*owner = owner_by_id(ctx, rd32(l4), st);
		return SS_STEER_ESP;
	case IPPROTO_NUM_UDP:
		if (l4off + 8 > end)
			return SS_STEER_BAD;
		l4 = rte_pktmbuf_read(m, l4off, 8, l4buf);
		sport = rd16(l4);
		dport = rd16(l4 + 2);
		l4off += 8;
		if (dport == SS_STEER_UDP_NATT) {
			/* ESP needs SPI + sequence number; a shorter
			 * payload is a keepalive (0xff) or not ESP. */
			if (l4off + 8 <= end) {
				x = rte_pktmbuf_read(m, l4off, 4, xbuf);
				v = rd32(x);
				if (v != 0) {
					*owner = owner_by_id(ctx, v, st);
					return SS_STEER_ESP;
				}
			}
		} else if (dport == SS_STEER_UDP_GTPU ||
				sport == SS_STEER_UDP_GTPU) {
			if (l4off + 8 > end)
				return SS_STEER_BAD;
			x = rte_pktmbuf_read(m, l4off, 8, xbuf);
			v = rd32(x + 4);
			/* version 1, PT 1 (GTP, not GTP'), G-PDU */
			if ((x[0] & 0xf0) == 0x30 && x[1] == 0xff && v != 0) {
				*owner = owner_by_id(ctx, v, st);
				return SS_STEER_GTPU;
			}
			st->noid_gtpu++;
		}
		break;
	case IPPROTO_NUM_TCP:
		if (l4off + 20 > end)
			return SS_STEER_BAD;
		l4 = rte_pktmbuf_read(m, l4off, 4, l4buf);
		sport = rd16(l4);
		dport = rd16(l4 + 2);
		break;
	case IPPROTO_NUM_SCTP:
		if (l4off + 12 > end)
			return SS_STEER_BAD;
		l4 = rte_pktmbuf_read(m, l4off, 8, l4buf);
		sport = rd16(l4);
		dport = rd16(l4 + 2);
		v = rd32(l4 + 4);
		if (v != 0) {
			*owner = owner_by_id(ctx, v, st);
			return SS_STEER_SCTP;
		}
		st->noid_sctp++;
		break;
	default:
		sport = 0;
		dport = 0;
		break;
	}
	*owner = owner_by_hash(ctx, hash_tuple(src, dst, alen, sport, dport,
		proto));
	return SS_STEER_HASH;

fragment:
	*owner = owner_by_hash(ctx, hash_tuple(src, dst, alen, 0, 0, proto));
	return SS_STEER_HASH;
}

static inline void
classify_burst(const struct ss_steer_ctx *ctx, struct rte_mbuf **m,
	uint16_t n, uint16_t owner[], uint8_t kind[],
	struct ss_steer_stats *st, int inner)
{
	struct ss_steer_stats dummy;
	uint16_t i;

	if (st == NULL) {
		memset(&dummy, 0, sizeof(dummy));
		st = &dummy;
	}
	for (i = 0; i < n && i < 4; i++)
		rte_prefetch0(rte_pktmbuf_mtod(m[i], void *));
	for (i = 0; i < n; i++) {
		uint8_t k;

		if (i + 4 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 4], void *));
		k = classify_one(ctx, m[i], inner ? 0 : m[i]->l2_len,
			&owner[i], st);
		kind[i] = k;
		st->kind[k]++;
	}
}

void
ss_steer_classify_burst(const struct ss_steer_ctx *ctx,
	struct rte_mbuf **m, uint16_t n, uint16_t owner[], uint8_t kind[],
	struct ss_steer_stats *st)
{
	classify_burst(ctx, m, n, owner, kind, st, 0);
}

void
ss_steer_classify_inner_burst(const struct ss_steer_ctx *ctx,
	struct rte_mbuf **m, uint16_t n, uint16_t owner[], uint8_t kind[],
	struct ss_steer_stats *st)
{
	classify_burst(ctx, m, n, owner, kind, st, 1);
}
