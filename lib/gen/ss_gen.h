/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_GEN_H
#define SS_GEN_H

/**
 * Traffic generator: bursts of packets from a stream spec, and the
 * receive side that measures them.
 *
 * A stream makes Ethernet frames of one kind: cleartext IPv4/IPv6 UDP or
 * TCP, GTP-U G-PDUs whose TEIDs carry the given instance-ids, SCTP whose
 * verification tags carry them, or ESP encrypted with the outbound twin
 * of a gateway's inbound SA (lib/esp), over 'flows' flows (source port
 * and/or address), at fixed sizes, a list or IMIX. The last 16 bytes of
 * every IP payload hold a stamp (magic, stream + flow, per-flow sequence
 * number, TSC) that the receive side (ss_gen_rx_burst) reads back for
 * loss, reordering and latency percentiles (log-linear histogram).
 * A TSC token bucket limits the rate. Nothing here is thread-safe: one
 * lcore owns a stream and an rx context.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ss_config.h"
#include "ss_sa.h"

#define SS_GEN_BURST 32
#define SS_GEN_STAMP_LEN 16
#define SS_GEN_STAMP_MAGIC 0x5347	/* "SG" */
#define SS_GEN_MAX_STREAMS 16
#define SS_GEN_MAX_FLOWS 4096
#define SS_GEN_MAX_SIZES 16
#define SS_GEN_MAX_IDS 64
#define SS_GEN_MAX_SAS 64
#define SS_GEN_MIN_SIZE 64		/* frame bytes incl. FCS */
#define SS_GEN_MAX_SIZE 1518
#define SS_GEN_IMIX_CYCLE 12		/* 7 x 64, 4 x 570, 1 x 1518 */

enum ss_gen_proto {
	SS_GEN_UDP = 0,
	SS_GEN_TCP,
	SS_GEN_GTPU,		/* UDP 2152, G-PDU with an inner IPv4/UDP */
	SS_GEN_SCTP,		/* one DATA chunk */
	SS_GEN_ESP,		/* inner UDP, encrypted with ss_gen_esp */
	SS_GEN_PROTO_MAX
};

enum ss_gen_vary {
	SS_GEN_VARY_PORT = 0,	/* flow f: source port sport + f */
	SS_GEN_VARY_ADDR,	/* flow f: source address src + f */
	SS_GEN_VARY_BOTH,
};

struct ss_gen_esp;

/** What a stream sends. Sizes are Ethernet frame sizes including the
 * 4-byte FCS (64..1518; ESP: of the cleartext frame before encryption);
 * a size too small for the headers plus the stamp is raised to that
 * minimum, SCTP frames are rounded up to whole 4-byte DATA words. */
struct ss_gen_spec {
	enum ss_gen_proto proto;
	uint8_t stream;			/* 0..15, carried in the stamp */
	struct rte_ether_addr src_mac, dst_mac;
	struct ss_ipaddr src, dst;	/* ESP: the inner addresses */
	uint16_t sport, dport;		/* GTP-U: dport is 2152 */
	uint16_t flows;			/* 1..SS_GEN_MAX_FLOWS */
	enum ss_gen_vary vary;
	uint16_t sizes[SS_GEN_MAX_SIZES];
	uint8_t nb_sizes;		/* 0 with imix */
	bool imix;
	/* GTP-U / SCTP: flow f carries id ids[f % nb_ids]; flows must be a
	 * multiple of nb_ids, so that ids are spread exactly. */
	uint16_t ids[SS_GEN_MAX_IDS];
	uint16_t nb_ids;
	uint8_t bits;			/* instance_bits */
	/* ESP: flow f uses SA f % nb_sas of esp (flows a multiple too). */
	struct ss_gen_esp *esp;
};

/* ---- token bucket (TSC) -------------------------------------------- */

struct ss_gen_tb {
	uint64_t rate;		/* packets per second, 0: unlimited */
	uint64_t hz;
	uint64_t credit;	/* packets x hz */
	uint64_t max_credit;
	uint64_t last;
};

static inline void
ss_gen_tb_init(struct ss_gen_tb *tb, uint64_t rate, uint64_t hz,
	uint32_t burst, uint64_t now)
{
	tb->rate = rate;
	tb->hz = hz;
	tb->max_credit = (uint64_t)burst * hz;
	tb->credit = 0;
	tb->last = now;
}

/** How many of 'want' packets may go now. */
static inline uint32_t
ss_gen_tb_take(struct ss_gen_tb *tb, uint64_t now, uint32_t want)
{
	uint64_t d = now - tb->last, n;

	if (tb->rate == 0)
		return want;
	if (d > tb->hz)
		d = tb->hz;	/* no more than a second of credit */
	tb->last = now;
	tb->credit += d * tb->rate;
	if (tb->credit > tb->max_credit)
		tb->credit = tb->max_credit;
	n = tb->credit / tb->hz;
	if (n > want)
		n = want;
	tb->credit -= n * tb->hz;
	return (uint32_t)n;
}

/* ---- stamp ---------------------------------------------------------- */

/** The last 16 bytes of the IP payload, host byte order (both ends run
 * on one host, or hosts with synchronised TSCs). */
struct ss_gen_stamp {
	uint16_t magic;		/* SS_GEN_STAMP_MAGIC */
	uint16_t key;		/* stream << 12 | flow */
	uint32_t seq;		/* per flow, from 0 */
	uint64_t tsc;		/* rte_rdtsc() when built */
} __rte_packed;

static inline uint16_t
ss_gen_stamp_key(uint8_t stream, uint16_t flow)
{
	return (uint16_t)((stream & 0xf) << 12 | (flow & 0xfff));
}

/**
 * Find the stamp of a frame (data at the Ethernet header, IPv4 or IPv6):
 * the 16 bytes before the end of the IP packet (IP length, so Ethernet
 * padding does not matter). 0, or -EINVAL when there is no valid stamp.
 */
int
ss_gen_stamp_read(const struct rte_mbuf *m, struct ss_gen_stamp *st);

/* ---- log-linear histogram ----------------------------------------- */

#define SS_GEN_HIST_SUB_BITS 5		/* 32 buckets per power of two */
#define SS_GEN_HIST_SUB (1u << SS_GEN_HIST_SUB_BITS)
#define SS_GEN_HIST_BUCKETS ((64 - SS_GEN_HIST_SUB_BITS + 1) * SS_GEN_HIST_SUB)

/** Values below 32 are exact; above, a bucket is 1/32 of its power of
 * two wide (relative error under 3.2%). */
struct ss_gen_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t b[SS_GEN_HIST_BUCKETS];
};

void
ss_gen_hist_reset(struct ss_gen_hist *h);

void
ss_gen_hist_add(struct ss_gen_hist *h, uint64_t v);

/** Add src's samples to dst (receive contexts of several lcores). */
void
ss_gen_hist_merge(struct ss_gen_hist *dst, const struct ss_gen_hist *src);

/** Value at quantile q (0..1): the middle of the bucket that holds it,
 * clamped to [min, max]; 0 when empty. */
uint64_t
ss_gen_hist_quantile(const struct ss_gen_hist *h, double q);

/** Bucket of v, and the lowest value of a bucket (exposed for tests). */
unsigned int
ss_gen_hist_bucket(uint64_t v);
uint64_t
ss_gen_hist_bucket_low(unsigned int idx);

/* ---- streams -------------------------------------------------------- */

struct ss_gen_stream;

/** Check a spec; 0 or -EINVAL with a reason in err (size len). */
int
ss_gen_spec_check(const struct ss_gen_spec *sp, char *err, size_t len);

/** NULL with rte_errno set (EINVAL: bad spec; ENOMEM). */
struct ss_gen_stream *
ss_gen_stream_create(const struct ss_gen_spec *sp, int socket);

void
ss_gen_stream_free(struct ss_gen_stream *s);

/** Frame size (incl. FCS) of packet number 'idx' of the stream, before
 * the header minimum is applied: the size list or the IMIX cycle. */
uint16_t
ss_gen_stream_size_of(const struct ss_gen_stream *s, uint64_t idx);

/** Smallest frame (incl. FCS) the stream can carry with its stamp. */
uint16_t
ss_gen_stream_min_size(const struct ss_gen_stream *s);

/**
 * Build up to n packets from mp into m[], stamped with tsc. Returns the
 * number made (fewer when the pool is empty or ESP dropped some; ESP
 * drops add to *enc_drops when not NULL). Each packet's data starts at
 * its Ethernet header and pkt_len excludes the FCS.
 */
uint16_t
ss_gen_build_burst(struct ss_gen_stream *s, struct rte_mempool *mp,
	struct rte_mbuf **m, uint16_t n, uint64_t tsc, uint64_t *enc_drops);

/** Packets the stream has built so far (the next packet's index). */
uint64_t
ss_gen_stream_built(const struct ss_gen_stream *s);

/* ---- ESP ------------------------------------------------------------ */

/**
 * An encryptor for n of a gateway's inbound SAs: each in_sas[i] (with its
 * keys, as the 'ipsec' section gives them) becomes an outbound SA with
 * local and peer swapped, so the gateway decrypts what it makes. Only the
 * CPU crypto back-end is used; ss_esp_crypto_init must have run. NULL
 * with rte_errno set; err (size len) says why. The caller wipes in_sas.
 */
struct ss_gen_esp *
ss_gen_esp_create(const struct ss_sa_params *in_sas, uint16_t n, int socket,
	char *err, size_t len);

void
ss_gen_esp_free(struct ss_gen_esp *e);

uint16_t
ss_gen_esp_nb_sas(const struct ss_gen_esp *e);

/** Encrypt m[0..n) (data at the IP header) with SA sa[i]; results (data
 * at the outer IP header) in out[], grouped by SA, in order within one.
 * Returns the count; dropped packets are freed. */
uint16_t
ss_gen_esp_encrypt(struct ss_gen_esp *e, struct rte_mbuf **m, uint16_t n,
	const uint16_t sa[], struct rte_mbuf **out);

/* ---- receive side ---------------------------------------------------- */

struct ss_gen_rx_stats {
	uint64_t rx;		/* stamped packets of the stream */
	uint64_t wrong_port;	/* of them, received on another port than
				 * expect_port[] names */
	uint64_t bytes;		/* their frame bytes, without FCS */
	uint64_t late;		/* sequence below one already seen:
				 * reordered or duplicated */
	struct ss_gen_hist lat;	/* TSC cycles, build to receive */
};

#define SS_GEN_PORT_ANY 0xff

struct ss_gen_rx {
	uint64_t nostamp;	/* frames without a valid stamp */
	/* Where each stream's packets should arrive (set by the owner;
	 * SS_GEN_PORT_ANY: anywhere). Kept by ss_gen_rx_reset. */
	uint8_t expect_port[SS_GEN_MAX_STREAMS];
	struct ss_gen_rx_stats st[SS_GEN_MAX_STREAMS];
	uint32_t next[SS_GEN_MAX_STREAMS][SS_GEN_MAX_FLOWS];
};

/** Allocated zeroed (it is large), every stream expected on any port;
 * NULL on ENOMEM. */
struct ss_gen_rx *
ss_gen_rx_create(int socket);

void
ss_gen_rx_free(struct ss_gen_rx *rx);

void
ss_gen_rx_reset(struct ss_gen_rx *rx);

/** Account m[0..n) received on port 'port' at TSC 'now'. The packets
 * are not freed. */
void
ss_gen_rx_burst(struct ss_gen_rx *rx, struct rte_mbuf **m, uint16_t n,
	uint8_t port, uint64_t now);

/* ---- configuration: section "gen" ----------------------------------- */

#define SS_GEN_CFG_MAX_PORTS 4

#define SS_GEN_CFG_MAX_LCORES 4

struct ss_gen_cfg_port {
	char name[SS_CFG_NAME_LEN];
	char device[SS_CFG_DEVARGS_LEN];
	uint8_t lcore;			/* index into lcores[]: the one that
					 * polls it and sends its streams */
	bool has_mac;
	struct rte_ether_addr mac;
	struct rte_ether_addr peer_mac;	/* the gateway port's MAC */
};

struct ss_gen_cfg_stream {
	char name[SS_CFG_NAME_LEN];
	uint8_t tx_port;		/* index into ports[] */
	uint8_t rx_port;
	uint64_t count;			/* packets, 0: until 'gen stop' */
	uint64_t rate;			/* pps, 0: unlimited */
	uint32_t spis[SS_GEN_MAX_SAS];	/* ESP: inbound SPIs of 'ipsec' */
	uint16_t nb_spis;
	struct ss_gen_spec spec;	/* macs and esp filled at start-up */
};

struct ss_gen_cfg {
	bool present;
	unsigned int lcores[SS_GEN_CFG_MAX_LCORES];	/* EAL lcore ids */
	uint8_t nb_lcores;
	bool busy;			/* spin; else nap when idle */
	struct ss_gen_cfg_port ports[SS_GEN_CFG_MAX_PORTS];
	uint8_t nb_ports;
	struct ss_gen_cfg_stream streams[SS_GEN_MAX_STREAMS];
	uint8_t nb_streams;
};

/** Register the "gen" section (after "ipsec": ESP streams name its
 * inbound SPIs, checked against sacfg). */
int
ss_gen_cfg_register(struct ss_gen_cfg *out, const struct ss_sa_cfg *sacfg);

const char *
ss_gen_proto_name(enum ss_gen_proto p);

#endif /* SS_GEN_H */
