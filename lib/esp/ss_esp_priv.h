/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_ESP_PRIV_H
#define SS_ESP_PRIV_H

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "ss_esp.h"
#include "ss_crypto.h"

extern int ss_esp_logtype;
#define SS_ESP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_esp_logtype, "esp: " fmt "\n", \
		##__VA_ARGS__)

uint16_t
ss_esp_server_qp(const struct ss_esp_server *srv);

/* Byte order of the packet paths. DPDK 22.11's x86 rte_bswap16/32/64 are
 * asm volatile (unless RTE_FORCE_INTRINSICS): the compiler can neither
 * fold them into a load (movbe) or a compare nor move or merge them.
 * Each converts both ways, as rte_cpu_to_be_ and rte_be_to_cpu_ do. */
static inline uint16_t
esp_be16(uint16_t x)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return __builtin_bswap16(x);
#else
	return x;
#endif
}

static inline uint32_t
esp_be32(uint32_t x)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return __builtin_bswap32(x);
#else
	return x;
#endif
}

static inline uint64_t
esp_be64(uint64_t x)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return __builtin_bswap64(x);
#else
	return x;
#endif
}

/* The packet's data lines past its first (the first is prefetched with
 * the headers), asked for one packet ahead of the crypto: mbufs that a
 * NIC or another lcore filled are in memory or another core's cache,
 * and the cipher would otherwise stall on each line in turn (the
 * hardware prefetcher starts over on each packet). */
static inline void
esp_prefetch_data(const struct rte_mbuf *p)
{
	const uint8_t *d = rte_pktmbuf_mtod(p, const uint8_t *);
	const uint32_t len = rte_pktmbuf_data_len(p);
	uint32_t o;

	/* The second line without a test: small packets (the usual
	 * count) have their trailer or ICV in it, or the padding and ICV
	 * that outbound writes there; a prefetch never faults. */
	rte_prefetch0(d + RTE_CACHE_LINE_SIZE);
	for (o = 2 * RTE_CACHE_LINE_SIZE; o < len; o += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(d + o);
}

/* Protocol and length fields of the IP header at d (v4 or v6 by its
 * version) for a datagram of len bytes; the IPv4 checksum is left to the
 * caller. */
static inline void
ss_esp_ip_set(uint8_t *d, uint8_t proto, uint32_t len)
{
	if ((d[0] >> 4) == 4) {
		struct rte_ipv4_hdr *h = (void *)d;

		h->next_proto_id = proto;
		h->total_length = esp_be16((uint16_t)len);
	} else {
		struct rte_ipv6_hdr *h = (void *)d;

		h->proto = proto;
		h->payload_len = esp_be16((uint16_t)(len - sizeof(*h)));
	}
}

struct ss_esp_server {
	struct ss_sa_db *db;
	struct ss_sa *const *out_tab;
	const uint16_t *owner;		/* ss_sa_db_owner_table */
	uint32_t max_tunnels;
	uint16_t idx;
	uint16_t qp;
	uint8_t id_shift;		/* 32 - instance bits */
	void *mb;			/* intel-ipsec-mb manager (ipsec-mb) */
	struct ss_esp_stats st;
	struct ss_sa_in_cache in_cache;
	struct rte_crypto_op *ops[SS_ESP_BURST];
	uint8_t opmem[SS_ESP_BURST][SS_ESP_OP_SIZE] __rte_cache_aligned;
};

/* Per-packet scratch kept in the mbuf across rte_ipsec calls that
 * reorder the burst: original length and the 32-bit sequence number. */
#define M_LEN(m) ((m)->hash.fdir.lo)
#define M_SEQ(m) ((m)->hash.fdir.hi)

static inline void
esp_drop(struct ss_esp_server *srv, struct ss_sa *sa, struct rte_mbuf *m,
	enum ss_sa_drop why)
{
	srv->st.drops[why]++;
	if (sa != NULL)
		sa->st.drops[why]++;
	rte_pktmbuf_free(m);
}

/* Stable grouping of a chunk by SA: returns the number of groups, with
 * grp[g] the SA, cnt[g] its packets, and pk[] the packets by group;
 * ax[] (when not NULL) goes along with m[] into axo[]. */
unsigned int
ss_esp_group_by_sa(struct ss_sa *sas[], struct rte_mbuf *m[], unsigned int n,
	struct ss_sa *grp[], uint16_t cnt[], struct rte_mbuf *pk[],
	const uint64_t ax[], uint64_t axo[]);

static inline bool
esp_lifetime_hard(const struct ss_sa *sa)
{
	return (sa->hard_packets != 0 && sa->st.packets >= sa->hard_packets) ||
		(sa->hard_bytes != 0 && sa->st.bytes >= sa->hard_bytes);
}

/* The slow paths' lifetime check: an SA past its hard lifetime takes no
 * more packets (flagged once, each packet counted as expired). */
static inline bool
esp_hard_expired_drop(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *p)
{
	if (likely(!sa->st.hard_expired && !esp_lifetime_hard(sa)))
		return false;
	sa->st.hard_expired = 1;
	esp_drop(srv, sa, p, SS_SA_DROP_EXPIRED);
	return true;
}

uint16_t
ss_esp_hard_cut_slow(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *m[], uint16_t n, uint64_t *bytes, bool inb);

/* Of the n packets of sa in m[] (*bytes in all), how many the SA may
 * still take: each one while the SA's counters before it are below both
 * hard limits, as if checked per packet (as XFRM does), though the
 * counters move per burst. The rest are dropped as "expired" and taken
 * off *bytes. Outbound before the crypto (no packet is encrypted past
 * the limit); inbound before delivery. The usual burst: two compares. */
static inline uint16_t
esp_hard_cut(struct ss_esp_server *srv, struct ss_sa *sa,
	struct rte_mbuf *m[], uint16_t n, uint64_t *bytes, const bool inb)
{
	if (likely((sa->hard_packets == 0 ||
			sa->st.packets + n <= sa->hard_packets) &&
			(sa->hard_bytes == 0 ||
			sa->st.bytes + *bytes <= sa->hard_bytes)))
		return n;
	return ss_esp_hard_cut_slow(srv, sa, m, n, bytes, inb);
}

static inline void
esp_lifetime_update(struct ss_sa *sa)
{
	if ((sa->soft_packets != 0 && sa->st.packets >= sa->soft_packets) ||
			(sa->soft_bytes != 0 && sa->st.bytes >= sa->soft_bytes))
		sa->st.soft_expired = 1;
	if (esp_lifetime_hard(sa))
		sa->st.hard_expired = 1;
}

/* Length of the IP header at the start of m and the datagram length
 * from the header; 0 when malformed. Trims link-layer padding. */
static inline uint32_t
esp_ip_hdr_check(struct rte_mbuf *m, uint8_t *family)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), hl, tot;

	if (len < 20)
		return 0;
	if ((d[0] >> 4) == 4) {
		const struct rte_ipv4_hdr *h = (const void *)d;

		hl = (uint32_t)(h->version_ihl & 0xf) * 4;
		tot = esp_be16(h->total_length);
		*family = AF_INET;
	} else if ((d[0] >> 4) == 6) {
		const struct rte_ipv6_hdr *h = (const void *)d;

		if (len < 40)
			return 0;
		hl = 40;
		tot = 40u + esp_be16(h->payload_len);
		*family = AF_INET6;
	} else {
		return 0;
	}
	if (hl < 20 || tot < hl || tot > len)
		return 0;
	if (tot < len)
		rte_pktmbuf_trim(m, (uint16_t)(len - tot));
	return hl;
}

static inline void
esp_ipv4_cksum_set(struct rte_ipv4_hdr *h)
{
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

#endif
