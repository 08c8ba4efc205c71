/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * ESP pipeline benchmark. Runs the real gateway (ss_app_setup/launch:
 * the same workers, classification, steering, SPD, SA, ESP, routing and
 * TX as the program) on virtual ports, and plays the traffic generator
 * on the main lcore:
 *
 *   net_ring_bench_inside  "inside"  cleartext source (outbound rows)
 *   net_ring_bench_outside "outside" ESP source (inbound rows)
 *   net_ring_bench_lan     "lan"     sink for decrypted packets
 *   net_ring_bench_wan     "wan"     sink for ESP
 *
 * All four are ring ports (rte_eth_from_rings) made here, a queue pair
 * per worker and one for the control lcore. A source's RX ring holds a
 * whole batch, so the generator puts a batch in at once and then keeps
 * off the CPUs while the workers run (with 2 workers on 2 CPUs the
 * wall-clock rate is then the workers', not the generator's). The
 * generator empties the TX rings after each batch, freeing the packets
 * in bulk, as a NIC's driver frees sent packets in bulk when it reclaims
 * descriptors; a worker's TX is then a ring enqueue, a NIC's descriptor
 * writes. With --sink null the sinks are net_null ports instead, whose
 * TX frees every packet on its own (rte_pktmbuf_free per packet: ~90
 * instructions, more than a NIC's TX costs).
 *
 * Each row runs in batches: the generator first builds a batch of
 * packets per server (cleartext, or ESP encrypted with the peer's side
 * of the server's SA by a second lib/esp instance), then feeds them into
 * the ring of the worker that owns each server, waiting when a ring is
 * full (backpressure, counted), and waits until the workers have taken
 * all of them. Per batch, busy TSC cycles / packets of the workers give
 * one sample; the row reports the median. Building the batch outside the
 * measured part keeps the generator's crypto out of the workers' way and
 * keeps their bursts full.
 *
 * Every batch is checked: each packet must have been encrypted or
 * decrypted by its server's SA and sent on the sink port, with no drop
 * anywhere (ESP, SPD, net, TX, handoff, punt). The first batch of each
 * row is also checked by content (ring sinks): outbound, the peer
 * decrypts every ESP packet with its side of the server's SA; each inner
 * packet (and inbound, each decrypted one) must be the one the generator
 * made, in order, TTL and header checksum aside. A row with a mismatch
 * is reported as FAIL.
 *
 * Steering rows (--l4 gtpu|sctp, --cross): outbound packets can be GTP-U
 * G-PDUs whose TEID, or SCTP packets whose verification tag, carries the
 * server's instance-id; with --cross each server's packets are fed to the
 * other worker's RX ring, so every packet is classified there and handed
 * over to its owner's ring (software steering, as without rte_flow). The
 * row is then verified with every packet handed over exactly once.
 *
 * The crypto floor is the same intel-ipsec-mb operation as the ESP layer
 * asks of crypto_aesni_gcm / crypto_aesni_mb, on the same byte counts,
 * called directly: GCM init/update/finalize per packet; AES-CBC + HMAC
 * jobs submitted in bursts of 32 then flushed (as the aesni_mb PMD's
 * CPU-crypto path does), on a small set of cache-hot buffers, on worker
 * 0's CPU (floor_on_worker), before the row; and again beside every
 * batch, right after it (floor_beside, pair_stats; --no-pair: not).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pthread_[gs]etaffinity_np */
#endif
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

/* Only the IMB_ names: the old short ones (CBC, ENCRYPT...) clash. */
#define NO_COMPAT_IMB_API_053
#include <intel-ipsec-mb.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_random.h>
#include <rte_eth_ring.h>
#include <rte_hash_crc.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "ss_app.h"

#define B_MAX_SERVERS 2
#define B_FLOWS 16		/* flows per server */
#define B_BURST 32
#define B_MAX_PAT 16
#define B_MAX_SAMPLES 100000
#define B_FLOOR_BUFS 64
#define B_COLD_BUFS 1024	/* an RX ring's worth, rotated through */
#define B_COLD_PKTS (B_FLOOR_BURSTS * B_BURST)	/* written per run */
/* The floor: short runs (96 packets: whole IMIX cycles), many of them,
 * so that most fit between two preemptions of a shared CPU. */
#define B_FLOOR_REPS 200
#define B_FLOOR_WARM 8
#define B_FLOOR_BURSTS 3
#define B_BUF_LEN 2048

/* Ports, in config order. */
enum {
	P_INSIDE = 0,
	P_OUTSIDE = 1,
	P_LAN = 2,
	P_WAN = 3,
};

enum b_l4 {
	B_L4_UDP = 0,	/* 5-tuple hash picks the server */
	B_L4_GTPU = 1,	/* TEID instance-id */
	B_L4_SCTP = 2,	/* verification tag instance-id */
};

static const char *const b_l4_names[] = { "udp", "gtpu", "sctp" };

enum b_algo {
	B_GCM = 0,
	B_CBC = 1,
};

struct b_size {
	const char *name;
	uint16_t n;
	uint16_t len[B_MAX_PAT];	/* inner IP packet lengths, cycled */
};

/* IMIX: 7:4:1 of 64/570/1500-byte IP packets, interleaved. */
static const struct b_size imix = {
	"imix", 12,
	{ 64, 570, 64, 64, 570, 64, 1500, 64, 570, 64, 64, 570 },
};

struct b_flow {
	uint32_t src, dst;		/* network order */
	uint16_t sport, dport;		/* network order */
};

struct b_snap {
	uint64_t busy[SS_MAX_WORKERS];
	uint64_t rx[SS_MAX_WORKERS];
	uint64_t bpolls[SS_MAX_WORKERS];
	uint64_t tx, tx_drops, punted, punt_drops, handoff, handoff_drops;
	uint64_t esp_done[B_MAX_SERVERS];	/* out_packets or in_packets */
	uint64_t esp_drops;
	uint64_t srv_bad;	/* spd_discard, too_big, no_owner, resteer */
	uint64_t net_drops;
	uint64_t sink_tx;
};

static struct {
	enum b_algo algo;
	uint16_t nb_workers;
	double seconds;
	uint32_t batch;
	const char *csv;
	const char *backend;		/* the gateway SAs' crypto back-end */
	bool esn;
	struct b_size sizes[8];
	unsigned int nb_sizes;
	bool dir_out, dir_in;
	bool floor_only;
	bool cross;		/* feed each server's packets to another worker */
	bool sink_null;		/* net_null sinks instead of ring ports */
	bool stages;		/* 'runtime on' during each row */
	bool pair;		/* the floor beside each batch (floor_beside) */
	/* --gen-writes data: the NIC model (see nic_rearm) */
	bool nic;
	uint32_t doff;		/* mbuf to its data, as a driver posts it */
	struct rte_mempool *stage_pool;	/* inbound: ESP made here first */
	struct rte_mbuf **recyc;	/* taken back from the sinks */
	uint32_t nrecyc, recyc_cap;
	/* The ring ports' rings, [inside|outside|lan|wan][queue]; the
	 * sinks' RX rings and the sources' TX rings stay empty. */
	struct rte_ring *port_rx[4][SS_MAX_WORKERS + 1];
	struct rte_ring *port_tx[4][SS_MAX_WORKERS + 1];
	uint16_t port_nq;
	enum b_l4 l4;
	uint32_t id_val[B_MAX_SERVERS][B_FLOWS];	/* TEID or vtag */
	uint32_t gen_sleep_us;
	bool gen_spin;		/* the generator has a CPU of its own */
	unsigned int page_kb;	/* the mbufs' page size */
	uint64_t hz;
	/* SA material, made here and written into the config text. */
	uint8_t key_in[B_MAX_SERVERS][48];	/* gateway inbound SA */
	uint8_t key_out[B_MAX_SERVERS][48];
	uint8_t key_len;
	uint32_t spi_in[B_MAX_SERVERS];
	uint32_t spi_out[B_MAX_SERVERS];
	/* Peer side: encrypts the inbound traffic. */
	struct ss_sa_db *peer_db;
	struct ss_esp_server *peer_esp[B_MAX_SERVERS];
	uint32_t peer_tunnel;
	struct b_flow out_flow[B_MAX_SERVERS][B_FLOWS];
	struct b_flow in_flow[B_MAX_SERVERS][B_FLOWS];
	struct rte_ring *ring[2][B_MAX_SERVERS];	/* [inside|outside][srv] */
	struct rte_mbuf **bq[B_MAX_SERVERS];
	/* Content check of a row's first batch: per server, a CRC of each
	 * cleartext IP packet made (TTL and checksum as zero). */
	bool check_batch;
	uint32_t *chk[B_MAX_SERVERS];
	uint8_t payload[B_BUF_LEN];
	struct rte_ether_addr peer_mac, host_mac;
} B;

static double samples[B_MAX_SAMPLES];
/* per batch, in the order of samples[] until sorted: the floor beside
 * it (hot, cold) */
static double pf_hot[B_MAX_SAMPLES], pf_cold[B_MAX_SAMPLES];

/* ---- helpers -------------------------------------------------------- */

static uint64_t
ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static int
cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned int n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
sleep_ns(long ns)
{
	const struct timespec ts = { 0, ns };

	nanosleep(&ts, NULL);
}

static uint32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return htonl((uint32_t)a << 24 | (uint32_t)b << 16 |
		(uint32_t)c << 8 | d);
}

static const char *
algo_cfg_name(void)
{
	return B.algo == B_GCM ? "aes-gcm-128" : "aes-cbc-128-hmac-sha256";
}

static const char *
algo_short(void)
{
	return B.algo == B_GCM ? "gcm128" : "cbc128-sha256";
}

static void
hex(char *out, const uint8_t *k, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", k[i]);
}

/* ---- configuration -------------------------------------------------- */

static char *
config_text(void)
{
	char sas[4096], kin[2 * 48 + 1], kout[2 * 48 + 1];
	char *t;
	size_t o = 0;
	uint16_t s;
	int n;

	for (s = 0; s < B.nb_workers; s++) {
		hex(kin, B.key_in[s], B.key_len);
		hex(kout, B.key_out[s], B.key_len);
		n = snprintf(sas + o, sizeof(sas) - o,
			"%s{ server = %u; dir = \"in\"; spi = 0x%08x; "
			"algo = \"%s\"; key = \"%s\"; },\n"
			"{ server = %u; dir = \"out\"; spi = 0x%08x; "
			"algo = \"%s\"; key = \"%s\"; }",
			s ? ",\n" : "", s + 1, B.spi_in[s], algo_cfg_name(),
			kin, s + 1, B.spi_out[s], algo_cfg_name(), kout);
		o += (size_t)n;
	}
	explicit_bzero(kin, sizeof(kin));
	explicit_bzero(kout, sizeof(kout));
	t = malloc(8192);
	if (t == NULL)
		return NULL;
	snprintf(t, 8192,
		"instance_bits = 4;\n"
		"mbufs = 65535;\n"
		"poll_mode = \"adaptive\";\n"
		"log_level = \"warning\";\n"
		"ports = (\n"
		" { name = \"inside\"; device = \"net_ring_bench_inside\"; mtu = 1500;\n"
		"   addresses = ( \"192.0.2.1/24\" ); },\n"
		" { name = \"outside\"; device = \"net_ring_bench_outside\"; mtu = 1600;\n"
		"   addresses = ( \"198.51.100.1/24\" ); },\n"
		" { name = \"lan\"; device = \"%s\"; mtu = 1500;\n"
		"   addresses = ( \"192.168.100.1/24\" ); },\n"
		" { name = \"wan\"; device = \"%s\"; mtu = 1600;\n"
		"   addresses = ( \"192.168.200.1/24\" ); }\n"
		");\n"
		"servers = ( { id = 1; lcore = 1; }%s );\n"
		"neighbours = (\n"
		" { port = \"lan\"; ip = \"192.168.100.2\"; "
		"mac = \"02:00:00:00:10:02\"; },\n"
		" { port = \"wan\"; ip = \"192.168.200.2\"; "
		"mac = \"02:00:00:00:20:02\"; }\n"
		");\n"
		"routes = (\n"
		" { dst = \"10.1.0.0/16\"; via = \"192.168.100.2\"; },\n"
		" { dst = \"10.2.0.0/16\"; via = \"192.168.200.2\"; },\n"
		" { dst = \"203.0.113.0/24\"; via = \"192.168.200.2\"; }\n"
		");\n"
		"ipsec = {\n"
		" replay_window = 1024;\n"
		" backend = \"%s\";\n"
		" esn = %s;\n"
		" tunnels = ( {\n"
		"  name = \"peer\"; local = \"198.51.100.1\";\n"
		"  peer = \"203.0.113.2\"; mode = \"tunnel\"; inner = \"ipv4\";\n"
		"  mtu = 1600;\n"
		"  local_ts = [ \"10.1.0.0/16\" ]; remote_ts = [ \"10.2.0.0/16\" ];\n"
		"  sas = ( %s );\n"
		" } );\n"
		" policies = ( { name = \"protect\"; src = \"10.1.0.0/16\";\n"
		"   dst = \"10.2.0.0/16\"; action = \"protect\";\n"
		"   tunnel = \"peer\"; } );\n"
		"};\n",
		B.sink_null ? "net_null0,no-rx=1" : "net_ring_bench_lan",
		B.sink_null ? "net_null1,no-rx=1" : "net_ring_bench_wan",
		B.nb_workers > 1 ? ", { id = 2; lcore = 2; }" : "",
		B.backend, B.esn ? "true" : "false", sas);
	explicit_bzero(sas, sizeof(sas));
	return t;
}

/* The peer's side of every server's inbound SA, as an outbound SA of a
 * second database, so that lib/esp itself makes the ESP we feed in. */
static int
peer_setup(void)
{
	struct ss_sa_tunnel_params tp;
	struct ss_sa_db_conf dbc;
	struct ss_sa_params p;
	uint16_t ids[B_MAX_SERVERS];
	uint16_t s;
	int ret;

	for (s = 0; s < B.nb_workers; s++)
		ids[s] = s + 1;
	memset(&dbc, 0, sizeof(dbc));
	dbc.name = "bench_peer";
	dbc.nb_servers = B.nb_workers;
	dbc.instance_bits = 4;
	dbc.ids = ids;
	dbc.socket = (int)rte_socket_id();
	B.peer_db = ss_sa_db_create(&dbc, NULL);
	if (B.peer_db == NULL)
		return -rte_errno;
	ret = ss_esp_attach(B.peer_db);
	if (ret < 0)
		return ret;
	memset(&tp, 0, sizeof(tp));
	snprintf(tp.name, sizeof(tp.name), "gw");
	tp.local.family = AF_INET;
	tp.local.v4 = ip4(203, 0, 113, 2);
	tp.peer.family = AF_INET;
	tp.peer.v4 = ip4(198, 51, 100, 1);
	ret = ss_sa_tunnel_add(B.peer_db, &tp, &B.peer_tunnel);
	if (ret < 0)
		return ret;
	for (s = 0; s < B.nb_workers; s++) {
		memset(&p, 0, sizeof(p));
		p.spi = B.spi_in[s];
		p.dir = SS_SA_DIR_OUT;
		p.server = s;
		p.tunnel = B.peer_tunnel;
		p.algo = B.algo == B_GCM ? SS_SA_ALGO_AES_GCM_128 :
			SS_SA_ALGO_AES_CBC_128_HMAC_SHA256;
		p.mode = SS_SA_MODE_TUNNEL;
		p.backend = SS_SA_BACKEND_DEFAULT;
		p.local = tp.local;
		p.peer = tp.peer;
		p.inner_family = AF_INET;
		p.esn = B.esn;
		p.mtu = 1600;
		memcpy(p.key, B.key_in[s], B.key_len);
		p.key_len = B.key_len;
		ret = ss_sa_add(B.peer_db, &p, NULL);
		if (ret == 0) {
			/* The gateway's outbound SA, seen from the peer. */
			p.spi = B.spi_out[s];
			p.dir = SS_SA_DIR_IN;
			p.replay_window = 4096;
			memcpy(p.key, B.key_out[s], B.key_len);
			ret = ss_sa_add(B.peer_db, &p, NULL);
		}
		explicit_bzero(&p, sizeof(p));
		if (ret < 0) {
			fprintf(stderr, "bench: peer SA: %s\n",
				ss_sa_db_errstr(B.peer_db));
			return ret;
		}
		B.peer_esp[s] = ss_esp_server_create(B.peer_db, s,
			(int)rte_socket_id());
		if (B.peer_esp[s] == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void
peer_teardown(void)
{
	uint16_t s;

	for (s = 0; s < B_MAX_SERVERS; s++) {
		ss_esp_server_free(B.peer_esp[s]);
		B.peer_esp[s] = NULL;
	}
	if (B.peer_db != NULL)
		ss_sa_db_free(B.peer_db);
	B.peer_db = NULL;
}

/* ---- packets -------------------------------------------------------- */

#define B_GTPU_PORT 2152
#define B_PROTO_SCTP 132

/* IPv4 + UDP of flow f, total IP length len, at d. */
static void
write_ip_udp(uint8_t *d, const struct b_flow *f, uint16_t len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)d;
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

	ip->version_ihl = 0x45;
	ip->type_of_service = 0;
	ip->total_length = htons(len);
	ip->packet_id = 0;
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = f->src;
	ip->dst_addr = f->dst;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u->src_port = f->sport;
	u->dst_port = f->dport;
	u->dgram_len = htons((uint16_t)(len - 20));
	u->dgram_cksum = 0;
	memcpy(u + 1, B.payload, len - 28u);
}

/* Outbound steering packets: GTP-U G-PDU (TEID) or SCTP (verification
 * tag) whose id names server s; the rest as write_ip_udp. */
static void
write_ip_l4(uint8_t *d, const struct b_flow *f, uint16_t len, uint32_t idv)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)d;
	uint8_t *l4 = (uint8_t *)(ip + 1);

	write_ip_udp(d, f, len);
	if (B.l4 == B_L4_GTPU) {
		const uint16_t glen = (uint16_t)(len - 20 - 8 - 8);
		uint8_t *g = l4 + 8;

		((struct rte_udp_hdr *)l4)->dst_port = htons(B_GTPU_PORT);
		g[0] = 0x30;		/* version 1, PT 1 */
		g[1] = 0xff;		/* G-PDU */
		g[2] = (uint8_t)(glen >> 8);
		g[3] = (uint8_t)glen;
		g[4] = (uint8_t)(idv >> 24);
		g[5] = (uint8_t)(idv >> 16);
		g[6] = (uint8_t)(idv >> 8);
		g[7] = (uint8_t)idv;
	} else if (B.l4 == B_L4_SCTP) {
		ip->next_proto_id = B_PROTO_SCTP;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		l4[4] = (uint8_t)(idv >> 24);
		l4[5] = (uint8_t)(idv >> 16);
		l4[6] = (uint8_t)(idv >> 8);
		l4[7] = (uint8_t)idv;
		memset(l4 + 8, 0, 4);	/* CRC32c: not checked in transit */
	}
}

static void
write_eth(uint8_t *d, const struct rte_ether_addr *dst,
	const struct rte_ether_addr *src)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)d;

	rte_ether_addr_copy(dst, &e->dst_addr);
	rte_ether_addr_copy(src, &e->src_addr);
	e->ether_type = htons(RTE_ETHER_TYPE_IPV4);
}

/* Flows from the inside hosts that the gateway's own steering (5-tuple
 * hash) gives to each server. */
static int
pick_flows(void)
{
	struct rte_mbuf *m;
	unsigned int have[B_MAX_SERVERS] = { 0 };
	uint32_t i;
	uint16_t s, owner;
	uint8_t kind;

	m = rte_pktmbuf_alloc(ss_app.pool);
	if (m == NULL)
		return -ENOMEM;
	for (i = 0; i < 100000; i++) {
		struct b_flow f;
		uint8_t *d;
		bool done = true;

		f.src = ip4(10, 1, (uint8_t)(i / 200), (uint8_t)(1 + i % 200));
		f.dst = ip4(10, 2, 0, (uint8_t)(1 + i % 100));
		f.sport = htons((uint16_t)(1024 + i));
		f.dport = htons(5000);
		rte_pktmbuf_reset(m);
		d = (uint8_t *)rte_pktmbuf_append(m, 14 + 64);
		write_eth(d, &ss_app.port_mac[P_INSIDE], &B.host_mac);
		write_ip_udp(d + 14, &f, 64);
		m->l2_len = 14;
		ss_steer_classify_burst(ss_app.steer, &m, 1, &owner, &kind,
			NULL);
		if (owner < B.nb_workers && have[owner] < B_FLOWS)
			B.out_flow[owner][have[owner]++] = f;
		for (s = 0; s < B.nb_workers; s++)
			done = done && have[s] == B_FLOWS;
		if (done)
			break;
	}
	rte_pktmbuf_free(m);
	for (s = 0; s < B.nb_workers; s++) {
		if (have[s] != B_FLOWS) {
			fprintf(stderr, "bench: found only %u flows for "
				"server %u\n", have[s], s);
			return -ENOENT;
		}
		/* Inbound: from remote hosts; the SPI picks the server. */
		for (i = 0; i < B_FLOWS; i++) {
			struct b_flow *f = &B.in_flow[s][i];

			f->src = ip4(10, 2, (uint8_t)s, (uint8_t)(1 + i));
			f->dst = ip4(10, 1, 0, (uint8_t)(1 + i));
			f->sport = htons((uint16_t)(6000 + i));
			f->dport = htons(7000);
		}
	}
	return 0;
}

static int
rings_find(void)
{
	uint16_t s;
	int side;

	for (side = 0; side < 2; side++)
		for (s = 0; s < B.nb_workers; s++)
			B.ring[side][s] = B.port_rx[side][
				ss_app.workers[ss_app.server_worker[s]].idx];
	return 0;
}

/* Fill bq[s][0..batch) for server s. Returns 0 or -errno. */
/* CRC of the IPv4 packet at d with TTL and header checksum as zero (the
 * gateway routes it, so those change on the way); copied first, since
 * rte_hash_crc reads 8-byte words. */
static uint32_t
ip_crc(const uint8_t *d, uint32_t len)
{
	uint64_t w[B_BUF_LEN / 8];
	uint8_t *c = (uint8_t *)w;

	len = RTE_MIN(len, (uint32_t)sizeof(w));
	memcpy(c, d, len);
	if (len >= sizeof(struct rte_ipv4_hdr)) {
		c[8] = 0;
		c[10] = c[11] = 0;
	}
	return rte_hash_crc(c, len, 0);
}

/* Outbound frame number k of server s (packet idx of its batch) at d:
 * Ethernet + IP of len bytes; its CRC kept for the content check. */
static void
frame_out(uint8_t *d, uint16_t s, uint32_t idx, uint16_t len, uint64_t k)
{
	write_eth(d, &ss_app.port_mac[P_INSIDE], &B.host_mac);
	write_ip_l4(d + 14, &B.out_flow[s][k % B_FLOWS], len,
		B.id_val[s][k % B_FLOWS]);
	if (B.check_batch)
		B.chk[s][idx] = ip_crc(d + 14, len);
}

/* Inbound: the inner IP packet at d, before the peer encrypts it. */
static void
packet_in(uint8_t *d, uint16_t s, uint32_t idx, uint16_t len, uint64_t k)
{
	write_ip_udp(d, &B.in_flow[s][k % B_FLOWS], len);
	if (B.check_batch)
		B.chk[s][idx] = ip_crc(d, len);
}

/* ---- NIC model ------------------------------------------------------ */

/*
 * A NIC's RX: the device writes a frame's bytes into a buffer its driver
 * posted (DMA, into the last-level cache), and the driver, on the lcore
 * that polls the queue, sets the mbuf's fields from the RX descriptor.
 * A NIC's TX: the driver frees sent mbufs into that lcore's mempool
 * cache. Either way the mbuf headers stay with the polling lcore; only
 * the frame's bytes come from elsewhere.
 *
 * With --gen-writes data (the default with ring sinks) the bench does
 * the same: the generator writes only the frames' bytes, into mbufs it
 * takes back from the sinks without reading them, and passes each
 * frame's length with its pointer, as a descriptor would (in the top 16
 * bits, which user-space addresses leave zero); nic_rearm(), in the
 * source ports' receive function (bench_rx), runs inside the worker's
 * rte_eth_rx_burst and sets the fields as a driver does. With --gen-writes mbuf the generator
 * allocates and fills whole mbufs, and every header line then moves
 * between the two cores twice per packet, which no NIC makes happen.
 */
#define B_DESC_SHIFT 48
#define B_DESC_MASK ((UINT64_C(1) << B_DESC_SHIFT) - 1)

static void
nic_rearm(uint16_t port, struct rte_mbuf *pkts[], uint16_t n)
{
	/* As a vector driver rearms: data_off, refcnt, nb_segs and port in
	 * one 8-byte store, then ol_flags, then the descriptor's fields
	 * (packet_type, pkt_len, data_len, vlan_tci, hash.rss) in 16
	 * bytes. */
	const struct rte_mbuf t = {
		.data_off = RTE_PKTMBUF_HEADROOM,
		.refcnt = 1,
		.nb_segs = 1,
		.port = port,
	};
	uint64_t rearm;
	uint16_t i;

	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, hash) !=
		offsetof(struct rte_mbuf, rx_descriptor_fields1) + 12);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, pkt_len) !=
		offsetof(struct rte_mbuf, rx_descriptor_fields1) + 4);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, data_len) !=
		offsetof(struct rte_mbuf, rx_descriptor_fields1) + 8);
	memcpy(&rearm, &t.rearm_data, sizeof(rearm));
	for (i = 0; i < n; i++) {
		const uint64_t d = (uint64_t)(uintptr_t)pkts[i];
		struct rte_mbuf *m = (void *)(uintptr_t)(d & B_DESC_MASK);
		const uint64_t len = d >> B_DESC_SHIFT;
		/* packet_type 0, pkt_len; data_len, vlan_tci 0; hash 0 */
		const uint64_t f[2] = { len << 32, len };

		memcpy(&m->rearm_data, &rearm, sizeof(rearm));
		m->ol_flags = 0;
		memcpy(&m->rx_descriptor_fields1, f, sizeof(f));
		pkts[i] = m;
	}
}

/* An mbuf for the next frame and where its bytes go: one the sinks gave
 * back (never read here), else a new one. NULL when the pool is empty. */
static struct rte_mbuf *
nic_slot(uint8_t **data)
{
	struct rte_mbuf *m;

	if (B.nrecyc != 0) {
		m = B.recyc[--B.nrecyc];
	} else {
		m = rte_pktmbuf_alloc(ss_app.pool);
		if (m == NULL)
			return NULL;
	}
	*data = (uint8_t *)m + B.doff;
	return m;
}

/* The frame's descriptor: its mbuf and length in one ring entry. */
static struct rte_mbuf *
nic_desc(struct rte_mbuf *m, uint32_t len)
{
	return (void *)(uintptr_t)((uint64_t)(uintptr_t)m |
		(uint64_t)len << B_DESC_SHIFT);
}

static int
nic_init(void)
{
	struct rte_mbuf *m;

	B.doff = (uint32_t)(sizeof(struct rte_mbuf) +
		rte_pktmbuf_priv_size(ss_app.pool) + RTE_PKTMBUF_HEADROOM);
	m = rte_pktmbuf_alloc(ss_app.pool);
	if (m == NULL)
		return -ENOMEM;
	/* The posted buffer's layout, and room for the largest frame. */
	if (rte_pktmbuf_mtod(m, uint8_t *) != (uint8_t *)m + B.doff ||
			rte_pktmbuf_tailroom(m) < 14 + 1500 + 128 ||
			((uint64_t)(uintptr_t)m & ~B_DESC_MASK) != 0) {
		fprintf(stderr, "bench: mbufs unlike a driver's RX buffers; "
			"use --gen-writes mbuf\n");
		rte_pktmbuf_free(m);
		return -ENOTSUP;
	}
	rte_pktmbuf_free(m);
	B.recyc_cap = rte_align32pow2(B.batch * B.nb_workers + 4 * B_BURST);
	B.recyc = rte_malloc("bench_recyc", sizeof(void *) * B.recyc_cap, 0);
	B.stage_pool = rte_pktmbuf_pool_create("bench_stage", 4 * B_BURST - 1,
		0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (B.recyc == NULL || B.stage_pool == NULL)
		return -ENOMEM;
	return 0;
}

/*
 * The ports' queues as a NIC driver keeps them: each in a cache line of
 * its own, written only by the lcore that polls it. The ring PMD keeps
 * every queue's counters in one array, so two workers polling their
 * queues of one port write the same line on every poll (an empty poll
 * too): a cost no NIC driver has, which the 2-worker rows paid. The
 * ring PMD's ports stay (their set-up, their rings); only their receive
 * and transmit functions and queue data are replaced, in the ethdev
 * fast-path table, once the gateway has started them.
 */
struct bench_q {
	struct rte_ring *r;
	uint64_t pkts;
	uint16_t port;
	bool nic;		/* rearm as a driver (nic_rearm) */
} __rte_cache_aligned;

static struct bench_q bench_rxq[4][SS_MAX_WORKERS + 1];
static struct bench_q bench_txq[4][SS_MAX_WORKERS + 1];
static void *bench_rxqd[4][SS_MAX_WORKERS + 1];
static void *bench_txqd[4][SS_MAX_WORKERS + 1];

static uint16_t
bench_rx(void *qd, struct rte_mbuf **m, uint16_t n)
{
	struct bench_q *q = qd;
	const uint16_t k = (uint16_t)rte_ring_sc_dequeue_burst(q->r,
		(void **)m, n, NULL);

	if (k != 0 && q->nic)
		nic_rearm(q->port, m, k);
	q->pkts += k;
	return k;
}

static uint16_t
bench_tx(void *qd, struct rte_mbuf **m, uint16_t n)
{
	struct bench_q *q = qd;
	const uint16_t k = (uint16_t)rte_ring_sp_enqueue_burst(q->r,
		(void **)m, n, NULL);

	q->pkts += k;
	return k;
}

/* After the gateway started the ports (rte_eth_dev_start fills the
 * table; nothing stops them before the end). */
static void
ports_own_queues(void)
{
	unsigned int p, q;

	for (p = 0; p < 4; p++) {
		const uint16_t pid = ss_app.port_id[p];
		struct rte_eth_fp_ops *f = &rte_eth_fp_ops[pid];

		if (B.port_rx[p][0] == NULL)
			continue;	/* a net_null sink */
		for (q = 0; q < B.port_nq; q++) {
			bench_rxq[p][q] = (struct bench_q){
				.r = B.port_rx[p][q], .port = pid,
				.nic = B.nic && p < 2,
			};
			bench_txq[p][q] = (struct bench_q){
				.r = B.port_tx[p][q], .port = pid,
			};
			bench_rxqd[p][q] = &bench_rxq[p][q];
			bench_txqd[p][q] = &bench_txq[p][q];
		}
		f->rxq.data = bench_rxqd[p];
		f->txq.data = bench_txqd[p];
		f->rx_pkt_burst = bench_rx;
		f->tx_pkt_burst = bench_tx;
	}
}

/* Packets sent on port index p, all queues. */
static uint64_t
ports_tx_count(unsigned int p)
{
	uint64_t t = 0;
	unsigned int q;

	for (q = 0; q < B.port_nq; q++)
		t += ld(&bench_txq[p][q].pkts);
	return t;
}

static void
nic_fini(void)
{
	if (B.recyc != NULL)
		rte_pktmbuf_free_bulk(B.recyc, B.nrecyc);
	B.nrecyc = 0;
	rte_free(B.recyc);
	B.recyc = NULL;
	rte_mempool_free(B.stage_pool);
	B.stage_pool = NULL;
}

/* batch_build for the NIC model: the frames' bytes only. */
static int
nic_batch_build(uint16_t s, bool out, const struct b_size *sz, uint64_t *k)
{
	struct rte_mbuf **q = B.bq[s];
	uint32_t i, j;

	for (i = 0; i < B.batch; i += B_BURST) {
		struct rte_mbuf *st[B_BURST], *enc[B_BURST];
		uint32_t tun[B_BURST];
		uint16_t n = B_BURST, e;
		uint8_t *d;

		if (out) {
			for (j = 0; j < n; j++, (*k)++) {
				const uint16_t len = sz->len[*k % sz->n];
				struct rte_mbuf *m = nic_slot(&d);

				if (m == NULL)
					goto nomem;
				frame_out(d, s, i + j, len, *k);
				q[i + j] = nic_desc(m, 14u + len);
			}
			continue;
		}
		/* ESP from the peer's SA, made in staging mbufs, then its
		 * bytes copied where the "NIC" puts them. */
		if (rte_pktmbuf_alloc_bulk(B.stage_pool, st, n) != 0)
			goto nomem;
		for (j = 0; j < n; j++, (*k)++) {
			const uint16_t len = sz->len[*k % sz->n];

			d = (uint8_t *)rte_pktmbuf_append(st[j], len);
			packet_in(d, s, i + j, len, *k);
			tun[j] = B.peer_tunnel;
		}
		e = ss_esp_outbound_burst(B.peer_esp[s], st, n, tun, enc,
			NULL);
		if (e != n) {
			fprintf(stderr, "bench: peer ESP made %u of %u\n", e,
				n);
			rte_pktmbuf_free_bulk(enc, e);
			return -EIO;
		}
		for (j = 0; j < n; j++) {
			const uint32_t flen = 14 + rte_pktmbuf_pkt_len(enc[j]);
			struct rte_mbuf *m = nic_slot(&d);

			if (m == NULL) {
				rte_pktmbuf_free_bulk(enc, n);
				goto nomem;
			}
			write_eth(d, &ss_app.port_mac[P_OUTSIDE], &B.peer_mac);
			/* rte_memcpy: plain vector stores, which leave the
			 * lines in the cache as a DMA into it does (glibc
			 * may take rep movsb for this size) */
			rte_memcpy(d + 14, rte_pktmbuf_mtod(enc[j], uint8_t *),
				flen - 14);
			q[i + j] = nic_desc(m, flen);
		}
		rte_pktmbuf_free_bulk(enc, n);
	}
	return 0;
nomem:
	fprintf(stderr, "bench: mbuf pool empty\n");
	return -ENOMEM;
}

static int
batch_build(uint16_t s, bool out, const struct b_size *sz, uint64_t *k)
{
	struct rte_mbuf **q = B.bq[s];
	const uint16_t port = ss_app.port_id[out ? P_INSIDE : P_OUTSIDE];
	uint32_t i, j;

	if (B.nic)
		return nic_batch_build(s, out, sz, k);
	for (i = 0; i < B.batch; i += B_BURST) {
		struct rte_mbuf **m = q + i;
		struct rte_mbuf *enc[B_BURST];
		uint32_t tun[B_BURST];
		uint16_t n = B_BURST, e;

		if (rte_pktmbuf_alloc_bulk(ss_app.pool, m, n) != 0) {
			fprintf(stderr, "bench: mbuf pool empty\n");
			return -ENOMEM;
		}
		for (j = 0; j < n; j++, (*k)++) {
			const uint16_t len = sz->len[*k % sz->n];
			uint8_t *d;

			if (out) {
				d = (uint8_t *)rte_pktmbuf_append(m[j],
					14 + len);
				frame_out(d, s, i + j, len, *k);
			} else {
				d = (uint8_t *)rte_pktmbuf_append(m[j], len);
				packet_in(d, s, i + j, len, *k);
				tun[j] = B.peer_tunnel;
			}
			m[j]->port = port;
		}
		if (out)
			continue;
		e = ss_esp_outbound_burst(B.peer_esp[s], m, n, tun, enc,
			NULL);
		if (e != n) {
			fprintf(stderr, "bench: peer ESP made %u of %u\n", e,
				n);
			return -EIO;
		}
		for (j = 0; j < n; j++) {
			uint8_t *d = (uint8_t *)rte_pktmbuf_prepend(enc[j],
				14);

			write_eth(d, &ss_app.port_mac[P_OUTSIDE], &B.peer_mac);
			enc[j]->port = port;
			enc[j]->packet_type = 0;
			enc[j]->l2_len = 0;
			enc[j]->l3_len = 0;
			m[j] = enc[j];
		}
	}
	return 0;
}

/* The ring ports (ethdevs net_ring_bench_<name>), made before the
 * gateway finds its ports by name: a queue pair per worker and one for
 * the control lcore, as port set-up asks. A source's RX ring holds a
 * batch; a sink's TX ring what all workers send of a batch (emptied
 * between batches, outside the measured time). */
static int
ports_make(void)
{
	static const char *const names[4] = {
		"bench_inside", "bench_outside", "bench_lan", "bench_wan",
	};
	const unsigned int big = rte_align32pow2(B.batch * B.nb_workers +
		4 * B_BURST);
	unsigned int p, q;
	char rn[RTE_RING_NAMESIZE];

	B.port_nq = (uint16_t)(B.nb_workers + 1);
	for (p = 0; p < 4; p++) {
		const bool src = p < 2;

		if (!src && B.sink_null)
			continue;
		for (q = 0; q < B.port_nq; q++) {
			snprintf(rn, sizeof(rn), "bport_rx%u_%u", p, q);
			B.port_rx[p][q] = rte_ring_create(rn, src ? big : 64,
				SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
			snprintf(rn, sizeof(rn), "bport_tx%u_%u", p, q);
			B.port_tx[p][q] = rte_ring_create(rn, src ? 1024 : big,
				SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (B.port_rx[p][q] == NULL ||
					B.port_tx[p][q] == NULL) {
				fprintf(stderr, "bench: ring %s: %s\n",
					rn, rte_strerror(rte_errno));
				return -ENOMEM;
			}
		}
		if (rte_eth_from_rings(names[p], B.port_rx[p], B.port_nq,
				B.port_tx[p], B.port_nq, SOCKET_ID_ANY) < 0) {
			fprintf(stderr, "bench: port %s: %s\n", names[p],
				rte_strerror(rte_errno));
			return -ENODEV;
		}
	}
	return 0;
}

/* Free what the workers sent to the ring ports, in bulk; with the NIC
 * model, keep what the workers sent on the sinks for the next batch,
 * unread (the control lcore's packets are freed: they may be anything). */
static void
ports_drain(void)
{
	struct rte_mbuf *m[256];
	unsigned int p, q, n;

	for (p = 0; p < 4; p++)
		for (q = 0; q < B.port_nq; q++) {
			const bool keep = B.nic && (p == P_LAN || p == P_WAN) &&
				q < (unsigned int)B.port_nq - 1;

			if (B.port_tx[p][q] == NULL)
				continue;
			while ((n = rte_ring_dequeue_burst(B.port_tx[p][q],
					(void **)m, RTE_DIM(m), NULL)) != 0) {
				const unsigned int c = keep ? RTE_MIN(n,
					B.recyc_cap - B.nrecyc) : 0;

				if (c != 0) {
					memcpy(&B.recyc[B.nrecyc], m,
						c * sizeof(*m));
					B.nrecyc += c;
				}
				if (c < n)
					rte_pktmbuf_free_bulk(m + c, n - c);
			}
		}
}

static void
snap(struct b_snap *t, bool out)
{
	struct ss_esp_stats es;
	struct rte_eth_stats ps;
	uint16_t w, s;
	int d;

	memset(t, 0, sizeof(*t));
	for (w = 0; w < ss_app.nb_workers; w++) {
		const struct ss_worker *wk = &ss_app.workers[w];

		t->busy[w] = ld(&wk->st.busy_cycles);
		t->rx[w] = ld(&wk->st.rx_pkts);
		t->bpolls[w] = ld(&wk->st.busy_polls);
		t->tx += ld(&wk->st.tx_pkts);
		t->tx_drops += ld(&wk->st.tx_drops);
		t->punted += ld(&wk->st.punted);
		t->punt_drops += ld(&wk->st.punt_drops);
		t->handoff += ld(&wk->st.handoff_tx);
		t->handoff_drops += ld(&wk->st.handoff_drops);
		for (d = 0; d < SS_NET_DROP_MAX; d++)
			t->net_drops += ld(&wk->net.drop[d]);
	}
	for (s = 0; s < B.nb_workers; s++) {
		const struct ss_server_stats *ss = &ss_app.srv[s];

		ss_esp_server_stats(ss_app.esp[s], &es);
		t->esp_done[s] = out ? es.out_packets : es.in_packets;
		for (d = 0; d < SS_SA_DROP_MAX; d++)
			t->esp_drops += es.drops[d];
		t->srv_bad += ld(&ss->spd_discard) + ld(&ss->too_big) +
			ld(&ss->no_owner) + ld(&ss->resteer) +
			ld(&ss->bypass);
	}
	if (!B.sink_null)
		t->sink_tx = ports_tx_count(out ? P_WAN : P_LAN);
	else if (rte_eth_stats_get(ss_app.port_id[out ? P_WAN : P_LAN],
			&ps) == 0)
		t->sink_tx = ps.opackets;
}

/* Between checks of the workers' progress: a spin where the generator
 * has a CPU of its own (a sleep's wake-up, tens of microseconds under a
 * hypervisor, would count in the wall time of a short batch), else a
 * sleep, which leaves the CPU to the workers it shares. */
static void
wait_a_while(void)
{
	if (!B.gen_spin) {
		sleep_ns(20000);
		return;
	}
	/* not too often: each look at the workers' counters takes their
	 * line away from the worker, which writes it every poll */
	rte_delay_us_block(2);
}

/* Wait until every worker has received target[w] packets and finished
 * the poll that got the last one; ahead: TSC cycles the batch takes at
 * least (0: not known yet). */
static int
wait_done(const uint64_t target[], uint64_t ahead)
{
	const uint64_t limit = rte_rdtsc() + 10 * B.hz;
	uint64_t polls[SS_MAX_WORKERS];
	uint16_t w;

	/* A generator that shares the workers' CPUs first sleeps for what
	 * the batch will take at least, in one go: each wake-up runs on a
	 * worker's CPU, and a busy worker's lost time counts as busy. */
	if (!B.gen_spin && ahead != 0)
		sleep_ns((long)RTE_MIN(ahead * UINT64_C(1000000000) / B.hz,
			UINT64_C(100000000)));
	for (w = 0; w < ss_app.nb_workers; w++) {
		while (ld(&ss_app.workers[w].st.rx_pkts) < target[w]) {
			if (rte_rdtsc() > limit)
				return -ETIMEDOUT;
			wait_a_while();
		}
	}
	for (w = 0; w < ss_app.nb_workers; w++)
		polls[w] = ld(&ss_app.workers[w].st.polls);
	for (w = 0; w < ss_app.nb_workers; w++)
		while (ld(&ss_app.workers[w].st.polls) < polls[w] + 2) {
			if (rte_rdtsc() > limit)
				return -ETIMEDOUT;
			wait_a_while();
		}
	return 0;
}

/* ---- crypto floor --------------------------------------------------- */

struct floor_ctx {
	IMB_MGR *mgr;
	IMB_ARCH arch;
	struct gcm_key_data *gkey;
	uint8_t *enc_keys, *dec_keys;	/* 16-byte aligned, 15 rounds */
	uint8_t ipad[32], opad[32];
	uint8_t *buf[B_FLOOR_BUFS];
	uint8_t *cold[B_COLD_BUFS];
	/* the buffers the bursts take: buf (hot) or cold */
	uint8_t *const *set;
	unsigned int nset;
	uint8_t tag[B_BURST][16];
};

static struct floor_ctx F;

static int
floor_init(void)
{
	uint8_t key[48], blk[64];
	unsigned int i;

	F.mgr = alloc_mb_mgr(0);
	if (F.mgr == NULL)
		return -ENOMEM;
	init_mb_mgr_auto(F.mgr, &F.arch);
	F.gkey = rte_zmalloc("bench_gkey", sizeof(*F.gkey), 64);
	F.enc_keys = rte_zmalloc("bench_ek", 16 * 15, 64);
	F.dec_keys = rte_zmalloc("bench_dk", 16 * 15, 64);
	if (F.gkey == NULL || F.enc_keys == NULL || F.dec_keys == NULL)
		return -ENOMEM;
	for (i = 0; i < B_FLOOR_BUFS; i++) {
		F.buf[i] = rte_zmalloc("bench_fb", B_BUF_LEN, 64);
		if (F.buf[i] == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < B_COLD_BUFS; i++) {
		F.cold[i] = rte_zmalloc("bench_fc", B_BUF_LEN, 64);
		if (F.cold[i] == NULL)
			return -ENOMEM;
	}
	F.set = F.buf;
	F.nset = B_FLOOR_BUFS;
	/* Throw-away keys: the floor's cost does not depend on them. */
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)rte_rand();
	IMB_AES128_GCM_PRE(F.mgr, key, F.gkey);
	IMB_AES_KEYEXP_128(F.mgr, key, F.enc_keys, F.dec_keys);
	memset(blk, 0x36, sizeof(blk));
	for (i = 0; i < 32; i++)
		blk[i] ^= key[16 + i];
	IMB_SHA256_ONE_BLOCK(F.mgr, blk, F.ipad);
	memset(blk, 0x5c, sizeof(blk));
	for (i = 0; i < 32; i++)
		blk[i] ^= key[16 + i];
	IMB_SHA256_ONE_BLOCK(F.mgr, blk, F.opad);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(blk, sizeof(blk));
	return 0;
}

static void
floor_fini(void)
{
	unsigned int i;

	if (F.gkey != NULL)
		explicit_bzero(F.gkey, sizeof(*F.gkey));
	rte_free(F.gkey);
	rte_free(F.enc_keys);
	rte_free(F.dec_keys);
	for (i = 0; i < B_FLOOR_BUFS; i++)
		rte_free(F.buf[i]);
	for (i = 0; i < B_COLD_BUFS; i++)
		rte_free(F.cold[i]);
	if (F.mgr != NULL)
		free_mb_mgr(F.mgr);
	memset(&F, 0, sizeof(F));
}

/* Bytes the ESP layer encrypts for an inner packet of len bytes in
 * tunnel mode: the packet, padding, pad length and next header. */
static uint32_t
esp_plain_len(uint16_t len)
{
	return RTE_ALIGN_CEIL((uint32_t)len + 2, B.algo == B_GCM ? 4u : 16u);
}

static void
floor_gcm_burst(bool enc, const struct b_size *sz, uint64_t *k)
{
	struct gcm_context_data ctx;
	uint8_t iv[12], aad[12], tag[16];
	unsigned int i;

	memset(iv, 0x5a, sizeof(iv));
	memset(aad, 0xa5, sizeof(aad));
	for (i = 0; i < B_BURST; i++, (*k)++) {
		uint8_t *b = F.set[*k % F.nset];
		const uint32_t p = esp_plain_len(sz->len[*k % sz->n]);

		if (enc) {
			IMB_AES128_GCM_INIT(F.mgr, F.gkey, &ctx, iv, aad,
				B.esn ? 12 : 8);
			IMB_AES128_GCM_ENC_UPDATE(F.mgr, F.gkey, &ctx, b, b,
				p);
			IMB_AES128_GCM_ENC_FINALIZE(F.mgr, F.gkey, &ctx,
				b + p, 16);
		} else {
			IMB_AES128_GCM_INIT(F.mgr, F.gkey, &ctx, iv, aad,
				B.esn ? 12 : 8);
			IMB_AES128_GCM_DEC_UPDATE(F.mgr, F.gkey, &ctx, b, b,
				p);
			IMB_AES128_GCM_DEC_FINALIZE(F.mgr, F.gkey, &ctx, tag,
				16);
			F.tag[0][0] ^= (uint8_t)(memcmp(tag, b + p, 16) != 0);
		}
	}
}

/* ESP header (8) + IV (16) + ciphertext, plus the ESN high half that
 * rte_ipsec appends for the ICV; one job each, burst then flush. */
static unsigned int
floor_cbc_burst(bool enc, const struct b_size *sz, uint64_t *k)
{
	unsigned int i, done = 0;
	IMB_JOB *job;

	for (i = 0; i < B_BURST; i++, (*k)++) {
		uint8_t *b = F.set[*k % F.nset];
		const uint32_t p = esp_plain_len(sz->len[*k % sz->n]);

		job = IMB_GET_NEXT_JOB(F.mgr);
		job->enc_keys = F.enc_keys;
		job->dec_keys = F.dec_keys;
		job->key_len_in_bytes = IMB_KEY_128_BYTES;
		job->src = b;
		job->dst = b;
		job->cipher_start_src_offset_in_bytes = 24;
		job->msg_len_to_cipher_in_bytes = p;
		job->iv = b + 8;
		job->iv_len_in_bytes = 16;
		job->hash_start_src_offset_in_bytes = 0;
		job->msg_len_to_hash_in_bytes = 24 + p + (B.esn ? 4 : 0);
		job->auth_tag_output = F.tag[i];
		job->auth_tag_output_len_in_bytes = 16;
		job->u.HMAC._hashed_auth_key_xor_ipad = F.ipad;
		job->u.HMAC._hashed_auth_key_xor_opad = F.opad;
		job->cipher_mode = IMB_CIPHER_CBC;
		job->hash_alg = IMB_AUTH_HMAC_SHA_256;
		if (enc) {
			job->cipher_direction = IMB_DIR_ENCRYPT;
			job->chain_order = IMB_ORDER_CIPHER_HASH;
		} else {
			job->cipher_direction = IMB_DIR_DECRYPT;
			job->chain_order = IMB_ORDER_HASH_CIPHER;
		}
		job->user_data = b + 24 + p;
		job = IMB_SUBMIT_JOB(F.mgr);
		if (job != NULL)
			done += job->status == IMB_STATUS_COMPLETED;
	}
	while ((job = IMB_FLUSH_JOB(F.mgr)) != NULL)
		done += job->status == IMB_STATUS_COMPLETED;
	return done;
}

/* The next run's buffers (k on) written on the writer's CPU, as the
 * generator writes frames, and the thread back on the reader's. */
static void
floor_cold_write(const struct b_size *sz, uint64_t k, const rte_cpuset_t *wr,
	const rte_cpuset_t *rd)
{
	const pthread_t self = pthread_self();
	unsigned int i;

	pthread_setaffinity_np(self, sizeof(*wr), wr);
	for (i = 0; i < B_COLD_PKTS; i++, k++) {
		const uint32_t p = esp_plain_len(sz->len[k % sz->n]);

		/* what the bursts read: ESP header and IV in front (CBC),
		 * the ICV and ESN bits behind */
		rte_memcpy(F.set[k % F.nset], B.payload, 24 + p + 20);
	}
	pthread_setaffinity_np(self, sizeof(*rd), rd);
}

/* One timed run of B_FLOOR_BURSTS bursts from buffer k on, in the set
 * F.set: cycles per packet. */
static double
floor_run(bool enc, const struct b_size *sz, uint64_t *k, unsigned int *done)
{
	const uint64_t t0 = rte_rdtsc_precise();
	unsigned int b;

	for (b = 0; b < B_FLOOR_BURSTS; b++) {
		if (B.algo == B_GCM)
			floor_gcm_burst(enc, sz, k);
		else
			*done += floor_cbc_burst(enc, sz, k);
	}
	return (double)(rte_rdtsc_precise() - t0) /
		(B_FLOOR_BURSTS * B_BURST);
}

/*
 * Cycles per packet of the bare operation over the row's mix: the 10th
 * percentile of B_FLOOR_REPS short runs. Noise on a shared machine only
 * adds, but the very best of many runs is luck.
 *
 * With wr (cold != NULL), each of those runs is followed by one on data
 * that another CPU has just written, as the pipeline finds it: the
 * generator writes that run's buffers (rotating through an RX ring's
 * worth) on wr's CPU, then runs the operation on rd's. The two kinds of
 * run alternate, so that both see the same state of a shared host.
 */
static double
floor_cycles(bool enc, const struct b_size *sz, bool *ok,
	const rte_cpuset_t *wr, const rte_cpuset_t *rd, double *cold)
{
	double v[B_FLOOR_REPS], vc[B_FLOOR_REPS];
	uint64_t k = 0, kc = 0;
	unsigned int r, done = 0, want = 0;

	for (r = 0; r < B_FLOOR_WARM + B_FLOOR_REPS; r++) {
		/* the first runs warm caches and the manager up */
		const unsigned int i = r < B_FLOOR_WARM ? 0 : r - B_FLOOR_WARM;

		v[i] = floor_run(enc, sz, &k, &done);
		want += B_FLOOR_BURSTS * B_BURST;
		if (wr == NULL)
			continue;
		F.set = F.cold;
		F.nset = B_COLD_BUFS;
		floor_cold_write(sz, kc, wr, rd);
		vc[i] = floor_run(enc, sz, &kc, &done);
		want += B_FLOOR_BURSTS * B_BURST;
		F.set = F.buf;
		F.nset = B_FLOOR_BUFS;
	}
	*ok = B.algo == B_GCM || done == want;
	if (wr != NULL) {
		median(vc, B_FLOOR_REPS);
		*cold = vc[B_FLOOR_REPS / 10];
	}
	median(v, B_FLOOR_REPS);
	return v[B_FLOOR_REPS / 10];
}

/* Where the floor runs (worker 0's CPU) and where its cold runs' data
 * are written (the generator's other CPUs: may be none). */
static void
floor_cpus(rte_cpuset_t *rd, rte_cpuset_t *wr)
{
	const rte_cpuset_t gen = rte_lcore_cpuset(rte_get_main_lcore());
	unsigned int c;

	*rd = rte_lcore_cpuset(ss_app.workers[0].lcore);
	CPU_ZERO(wr);
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &gen) && !CPU_ISSET(c, rd))
			CPU_SET(c, wr);
}

/*
 * The floor on the CPU of worker 0, not the generator's own: under a
 * hypervisor two vCPUs can run at different speeds for seconds, and the
 * overhead (cycles - floor) must compare the same CPU's cycles. The
 * generator moves there for the measurement and shares the CPU with the
 * worker's idle polls; the best of the runs keeps those it was not
 * interrupted in. *cold: the cold floor (see floor_cycles), written on
 * a CPU of the generator's other than worker 0's; NAN where it has none.
 * What the cold floor costs above the floor is the data's arrival in the
 * bare operation: a part of the pipeline's overhead that no pipeline
 * work removes (prefetching can only overlap it).
 */
static double
floor_on_worker(bool enc, const struct b_size *sz, bool *ok, double *cold)
{
	const pthread_t self = pthread_self();
	rte_cpuset_t old, wr, cpus;
	bool moved;
	double f;

	floor_cpus(&cpus, &wr);
	*cold = NAN;
	moved = pthread_getaffinity_np(self, sizeof(old), &old) == 0 &&
		pthread_setaffinity_np(self, sizeof(cpus), &cpus) == 0;
	f = floor_cycles(enc, sz, ok, moved && CPU_COUNT(&wr) != 0 ? &wr :
		NULL, &cpus, cold);
	if (moved)
		pthread_setaffinity_np(self, sizeof(old), &old);
	return f;
}

/*
 * The floor beside one batch, right after it and on worker 0's CPU: a
 * run that brings the floor's buffers and keys back into the caches the
 * batch has just filled (untimed), the same run timed (*hot), and where
 * the generator has a CPU apart from worker 0's, a run on data written
 * there (*cold, else NAN). Paired with the batch, these see the host as
 * the batch did: here the vCPUs' speed and the shared caches change for
 * seconds at a time, which the floor taken before the row cannot see
 * (pair_stats makes the figures). False if CBC jobs failed.
 */
static bool
floor_beside(bool enc, const struct b_size *sz, double *hot, double *cold)
{
	const pthread_t self = pthread_self();
	static uint64_t k, kc;
	rte_cpuset_t old, wr, cpus;
	unsigned int done = 0, want;
	uint64_t kw = k;

	floor_cpus(&cpus, &wr);
	*hot = NAN;
	*cold = NAN;
	if (pthread_getaffinity_np(self, sizeof(old), &old) != 0 ||
			pthread_setaffinity_np(self, sizeof(cpus), &cpus) != 0)
		return true;
	floor_run(enc, sz, &kw, &done);
	*hot = floor_run(enc, sz, &k, &done);
	want = 2 * B_FLOOR_BURSTS * B_BURST;
	if (CPU_COUNT(&wr) != 0) {
		F.set = F.cold;
		F.nset = B_COLD_BUFS;
		floor_cold_write(sz, kc, &wr, &cpus);
		*cold = floor_run(enc, sz, &kc, &done);
		F.set = F.buf;
		F.nset = B_FLOOR_BUFS;
		want += B_FLOOR_BURSTS * B_BURST;
	}
	pthread_setaffinity_np(self, sizeof(old), &old);
	return B.algo == B_GCM || done == want;
}

/* ---- one row -------------------------------------------------------- */

struct b_row {
	uint64_t pkts, batches, waits;
	double cyc_med, cyc_min, cyc_p10, cyc_all;
	double cyc_w[SS_MAX_WORKERS];
	double floor, floor_cold;
	/* the floor beside the batches (floor_beside), the batches' mean
	 * less it, the cold floor less it (pair_stats) */
	double pfloor, povh, parr;
	double wall_mpps;
	double burst;
	bool ok;
	char why[256];
};

static void
row_check(const struct b_snap *a, const struct b_snap *b,
	const uint64_t fed[], uint64_t total, struct b_row *r)
{
	uint16_t s;
	int n = 0;

#define BAD(...) do { \
	r->ok = false; \
	if (n < (int)sizeof(r->why) - 1) \
		n += snprintf(r->why + n, sizeof(r->why) - n, __VA_ARGS__); \
} while (0)
	for (s = 0; s < B.nb_workers; s++)
		if (b->esp_done[s] - a->esp_done[s] != fed[s])
			BAD("server %u: %" PRIu64 " of %" PRIu64 " through "
				"ESP; ", s, b->esp_done[s] - a->esp_done[s],
				fed[s]);
	if (b->tx - a->tx != total)
		BAD("tx %" PRIu64 " of %" PRIu64 "; ", b->tx - a->tx, total);
	if (b->sink_tx - a->sink_tx != total)
		BAD("sink port sent %" PRIu64 " of %" PRIu64 "; ",
			b->sink_tx - a->sink_tx, total);
	if (b->esp_drops != a->esp_drops)
		BAD("esp drops %" PRIu64 "; ", b->esp_drops - a->esp_drops);
	if (b->net_drops != a->net_drops)
		BAD("net drops %" PRIu64 "; ", b->net_drops - a->net_drops);
	if (b->srv_bad != a->srv_bad)
		BAD("spd/too-big/bypass %" PRIu64 "; ",
			b->srv_bad - a->srv_bad);
	if (b->tx_drops != a->tx_drops)
		BAD("tx queue full %" PRIu64 "; ",
			b->tx_drops - a->tx_drops);
	if (b->punted != a->punted || b->punt_drops != a->punt_drops)
		BAD("punted %" PRIu64 "; ", b->punted - a->punted);
	/* Cross-fed rows: every packet handed over once, none lost. */
	if (b->handoff - a->handoff != (B.cross ? total : 0) ||
			b->handoff_drops != a->handoff_drops)
		BAD("handed off %" PRIu64 " (drops %" PRIu64 "); ",
			b->handoff - a->handoff,
			b->handoff_drops - a->handoff_drops);
#undef BAD
}

/* The server whose worker's ring gets server s's packets. */
static uint16_t
feed_of(uint16_t s)
{
	return B.cross ? (uint16_t)((s + 1) % B.nb_workers) : s;
}

/* Cross-fed: wait until each owner has also put the handed-over packets
 * through its SA and out of the sink (the receiving worker's counters say
 * nothing of that). */
static int
wait_owners(bool out, const struct b_snap *a)
{
	const uint64_t limit = rte_rdtsc() + 10 * B.hz;
	struct b_snap b;
	uint16_t s;

	for (;;) {
		bool done = true;

		snap(&b, out);
		for (s = 0; s < B.nb_workers; s++)
			done = done && b.esp_done[s] - a->esp_done[s] >=
				B.batch;
		/* ... and sent it (TX buffers flush at the end of a poll) */
		done = done && b.sink_tx - a->sink_tx >=
			(uint64_t)B.batch * B.nb_workers;
		if (done)
			return 0;
		if (rte_rdtsc() > limit)
			return -ETIMEDOUT;
		sleep_ns(20000);
	}
}

/* The row's first batch by content (see the top of this file), from
 * the sink's TX rings before they are emptied: false with r->why set on
 * the first difference. */
static bool
content_check(bool out, struct b_row *r)
{
	struct rte_mbuf *m[B_BURST], *o[B_BURST];
	uint16_t s;

	for (s = 0; s < B.nb_workers; s++) {
		const uint16_t q = ss_app.workers[ss_app.server_worker[s]].idx;
		struct rte_ring *rg = B.port_tx[out ? P_WAN : P_LAN][q];
		uint32_t j = 0;
		unsigned int n, i, nd;

		while ((n = rte_ring_dequeue_burst(rg, (void **)m, B_BURST,
				NULL)) != 0) {
			for (i = 0; i < n; i++) {
				rte_pktmbuf_adj(m[i], RTE_ETHER_HDR_LEN);
				m[i]->l2_len = 0;
				m[i]->l3_len = 0;
				m[i]->packet_type = 0;
			}
			if (out) {
				nd = ss_esp_inbound_burst(B.peer_esp[s], m,
					(uint16_t)n, o, NULL);
			} else {
				memcpy(o, m, n * sizeof(*m));
				nd = n;
			}
			for (i = 0; i < nd && j < B.batch; i++, j++)
				if (ip_crc(rte_pktmbuf_mtod(o[i], uint8_t *),
						rte_pktmbuf_pkt_len(o[i])) !=
						B.chk[s][j])
					break;
			rte_pktmbuf_free_bulk(o, nd);
			if (nd != n || i != nd) {
				snprintf(r->why, sizeof(r->why), "content: "
					"server %u packet %u %s", s, j,
					nd != n ? "not decrypted by the peer" :
					"differs from what was sent");
				return false;
			}
		}
		if (j != B.batch) {
			snprintf(r->why, sizeof(r->why), "content: server %u "
				"sent %u of %u", s, j, B.batch);
			return false;
		}
	}
	return true;
}

/*
 * The paired figures: the floor beside the batches as a mean over its
 * runs (each of B_FLOOR_BURSTS x B_BURST packets, so the mean is per
 * packet over the time they ran), and the batches' own mean over theirs
 * (r->cyc_all) less it. Means on both sides, not medians: what the
 * host takes (preemptions, interrupts, a busy neighbour) comes at a
 * rate in time, and adds to both in proportion to the time they run; a
 * median would keep it in a long batch and leave it out of most short
 * floor runs. NAN where there are none.
 */
static void
pair_stats(unsigned int ns, struct b_row *r)
{
	double h = 0, c = 0;
	unsigned int i, n = 0, nc = 0;

	r->pfloor = r->povh = r->parr = NAN;
	if (!B.pair)
		return;
	for (i = 0; i < ns; i++) {
		if (isnan(pf_hot[i]))
			continue;
		h += pf_hot[i];
		n++;
		if (!isnan(pf_cold[i])) {
			c += pf_cold[i] - pf_hot[i];
			nc++;
		}
	}
	if (n == 0)
		return;
	r->pfloor = h / n;
	r->povh = r->cyc_all - r->pfloor;
	if (nc != 0)
		r->parr = c / nc;
}

static int
run_row(bool out, const struct b_size *sz, struct b_row *r)
{
	const uint64_t end = rte_rdtsc() + (uint64_t)(B.seconds * B.hz);
	const uint16_t nw = ss_app.nb_workers;
	struct b_snap first, a, b;
	uint64_t busy_all = 0, rx_all = 0, bp_all = 0, wall = 0;
	uint64_t busy_w[SS_MAX_WORKERS] = { 0 }, rx_w[SS_MAX_WORKERS] = { 0 };
	uint64_t fed_all[B_MAX_SERVERS] = { 0 }, k = 0, ahead = 0;
	unsigned int ns = 0;
	uint16_t s, w;
	bool fok;
	int ret;

	memset(r, 0, sizeof(*r));
	r->ok = true;
	r->floor = floor_on_worker(out, sz, &fok, &r->floor_cold);
	if (!fok) {
		r->ok = false;
		snprintf(r->why, sizeof(r->why), "floor jobs failed");
	}
	ports_drain();
	B.check_batch = !B.sink_null;
	snap(&first, out);
	do {
		uint64_t target[SS_MAX_WORKERS], pos[B_MAX_SERVERS] = { 0 };
		uint64_t t0, t1, left;
		double db = 0, dr = 0;

		for (s = 0; s < B.nb_workers; s++) {
			uint64_t kk = k;

			ret = batch_build(s, out, sz, &kk);
			if (ret < 0)
				return ret;
			if (s == B.nb_workers - 1)
				k = kk;
		}
		snap(&a, out);
		for (w = 0; w < nw; w++)
			target[w] = a.rx[w];
		for (s = 0; s < B.nb_workers; s++)
			target[ss_app.server_worker[feed_of(s)]] += B.batch;
		t0 = rte_rdtsc();
		left = (uint64_t)B.batch * B.nb_workers;
		while (left != 0) {
			unsigned int moved = 0;

			for (s = 0; s < B.nb_workers; s++) {
				struct rte_ring *rg =
					B.ring[out ? 0 : 1][feed_of(s)];
				unsigned int room, n;

				if (pos[s] == B.batch)
					continue;
				room = rte_ring_free_count(rg);
				n = RTE_MIN(room, (unsigned int)(B.batch -
					pos[s]));
				if (n < B_BURST && n != B.batch - pos[s])
					continue;
				n = rte_ring_enqueue_burst(rg,
					(void **)&B.bq[s][pos[s]], n, NULL);
				pos[s] += n;
				moved += n;
			}
			left = 0;
			for (s = 0; s < B.nb_workers; s++)
				left += B.batch - pos[s];
			if (moved == 0 && left != 0) {
				/* Rings full: the workers are behind. */
				r->waits++;
				sleep_ns((long)B.gen_sleep_us * 1000);
			}
		}
		ret = wait_done(target, ahead);
		if (ret == 0 && B.cross)
			ret = wait_owners(out, &a);
		t1 = rte_rdtsc();
		if (ret < 0) {
			snap(&b, out);
			r->ok = false;
			snprintf(r->why, sizeof(r->why), "workers did not "
				"take the batch within 10 s (through ESP %"
				PRIu64 "+%" PRIu64 ", handed off %" PRIu64
				", handoff drops %" PRIu64 ", other drops %"
				PRIu64 ")", b.esp_done[0] - a.esp_done[0],
				B.nb_workers > 1 ?
				b.esp_done[1] - a.esp_done[1] : 0,
				b.handoff - a.handoff,
				b.handoff_drops - a.handoff_drops,
				b.esp_drops - a.esp_drops + b.net_drops -
				a.net_drops + b.srv_bad - a.srv_bad);
			break;
		}
		snap(&b, out);
		ahead = 0;
		for (w = 0; w < nw; w++) {
			/* half the busiest worker's time on this batch */
			ahead = RTE_MAX(ahead, (b.busy[w] - a.busy[w]) / 2);
			busy_w[w] += b.busy[w] - a.busy[w];
			rx_w[w] += b.rx[w] - a.rx[w];
			bp_all += b.bpolls[w] - a.bpolls[w];
			db += (double)(b.busy[w] - a.busy[w]);
			dr += (double)(b.rx[w] - a.rx[w]);
		}
		if (ns < B_MAX_SAMPLES && dr > 0) {
			samples[ns] = db / dr;
			if (B.pair && !floor_beside(out, sz, &pf_hot[ns],
					&pf_cold[ns]) && r->ok) {
				r->ok = false;
				snprintf(r->why, sizeof(r->why),
					"floor jobs failed");
			}
			ns++;
		}
		wall += t1 - t0;
		if (B.check_batch && r->ok && !content_check(out, r))
			r->ok = false;
		B.check_batch = false;
		ports_drain();
		for (s = 0; s < B.nb_workers; s++)
			fed_all[s] += B.batch;
		r->batches++;
	} while (rte_rdtsc() < end);

	snap(&b, out);
	for (w = 0; w < nw; w++) {
		busy_all += busy_w[w];
		rx_all += rx_w[w];
		r->cyc_w[w] = rx_w[w] ? (double)busy_w[w] / rx_w[w] : NAN;
	}
	for (s = 0; s < B.nb_workers; s++)
		r->pkts += fed_all[s];
	if (r->ok)
		row_check(&first, &b, fed_all, r->pkts, r);
	r->cyc_all = rx_all ? (double)busy_all / rx_all : NAN;
	r->cyc_min = NAN;
	r->cyc_p10 = NAN;
	if (ns > 0) {
		r->cyc_med = median(samples, ns);
		r->cyc_min = samples[0];
		/* the floor's statistic: noise only adds */
		r->cyc_p10 = samples[ns / 10];
	}
	pair_stats(ns, r);
	r->burst = bp_all ? (double)rx_all / bp_all : 0;
	r->wall_mpps = wall ? (double)r->pkts / ((double)wall / B.hz) / 1e6 :
		0;
	return 0;
}

/* ---- main ----------------------------------------------------------- */

/* The page size under the mbuf pool, in KB: 4 with --no-huge, where
 * every mbuf's header and data lines are on pages of their own and
 * each packet costs TLB misses that no deployment has (the rows are
 * then slower, the 64-byte ones most). */
static unsigned int
page_kb(void)
{
	const struct rte_memseg_list *msl =
		rte_mem_virt2memseg_list(ss_app.pool);

	return msl != NULL ? (unsigned int)(msl->page_sz >> 10) : 0;
}

/* Whether no worker lcore may run on the generator's CPUs. */
static bool
gen_has_own_cpu(void)
{
	rte_cpuset_t gen = rte_lcore_cpuset(rte_get_main_lcore());
	uint16_t w;

	for (w = 0; w < ss_app.nb_workers; w++) {
		rte_cpuset_t both, wk = rte_lcore_cpuset(
			ss_app.workers[w].lcore);

		CPU_AND(&both, &gen, &wk);
		if (CPU_COUNT(&both) != 0)
			return false;
	}
	return true;
}

static int
parse_sizes(const char *arg)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	B.nb_sizes = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
			tok = strtok_r(NULL, ",", &save)) {
		struct b_size *z;
		char *e;
		long v;

		if (B.nb_sizes == RTE_DIM(B.sizes))
			return -E2BIG;
		z = &B.sizes[B.nb_sizes];
		if (strcmp(tok, "imix") == 0) {
			*z = imix;
		} else {
			v = strtol(tok, &e, 10);
			if (*e != '\0' || v < 64 || v > 1500)
				return -EINVAL;
			z->name = NULL;
			z->n = 1;
			z->len[0] = (uint16_t)v;
		}
		B.nb_sizes++;
	}
	return B.nb_sizes ? 0 : -EINVAL;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s EAL-ARGS -- [--algo gcm|cbc] [--workers 1|2]\n"
		"  [--sizes 64,512,1420,imix] [--dirs out,in] [--seconds S]\n"
		"  [--batch N] [--esn 0|1] [--csv FILE] [--floor-only]\n"
		"  [--backend ipsec-mb|cpu|lookaside]\n"
		"  [--gen-sleep-us N] [--l4 udp|gtpu|sctp] [--cross]\n"
		"  [--sink ring|null] [--stages] [--gen-writes data|mbuf]\n"
		"  [--no-pair]\n"
		"--batch: frames per server per batch (default 1024, an RX\n"
		"ring's worth).\n"
		"--l4: outbound packets steered by 5-tuple hash (udp), GTP-U\n"
		"TEID or SCTP verification tag; --cross (2 workers): feed each\n"
		"server's packets to the other worker, which hands them over.\n"
		"Sizes are inner IP packet lengths; imix is 7:4:1 of\n"
		"64/570/1500-byte IP packets. --sink: the lan/wan ports are\n"
		"rings the generator empties and frees in bulk (ring, the\n"
		"default) or net_null ports that free each packet.\n"
		"--gen-writes data (the default with ring sinks): the generator\n"
		"writes only the frames' bytes into mbufs the sinks gave back,\n"
		"and the ports' receive function sets the mbuf fields on the\n"
		"worker's lcore, as a NIC driver does from its descriptors;\n"
		"mbuf: the generator\n"
		"allocates and fills whole mbufs (their header lines then move\n"
		"between the cores twice per packet).\n"
		"--no-pair: no floor beside each batch (see floor_beside;\n"
		"more batches per row, no paired figures).\n"
		"--stages: turn the workers' runtime profile on for each row\n"
		"and print its cycles per received packet by stage (as 'show\n"
		"runtime'; the TSC reads add a few cycles to the row).\n", prog);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "algo", required_argument, NULL, 'a' },
		{ "workers", required_argument, NULL, 'w' },
		{ "sizes", required_argument, NULL, 's' },
		{ "dirs", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 't' },
		{ "batch", required_argument, NULL, 'b' },
		{ "esn", required_argument, NULL, 'e' },
		{ "csv", required_argument, NULL, 'c' },
		{ "floor-only", no_argument, NULL, 'f' },
		{ "gen-sleep-us", required_argument, NULL, 'g' },
		{ "l4", required_argument, NULL, 'l' },
		{ "cross", no_argument, NULL, 'x' },
		{ "backend", required_argument, NULL, 'k' },
		{ "sink", required_argument, NULL, 'n' },
		{ "stages", no_argument, NULL, 'r' },
		{ "no-pair", no_argument, NULL, 'P' },
		{ "gen-writes", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int gen_writes = -1;
	int c;

	B.algo = B_GCM;
	B.nb_workers = 1;
	B.seconds = 2.0;
	/* What one NIC queue has in flight: an RX ring of 1024
	 * descriptors (DPDK ipsec-secgw's default). The batch is the set
	 * of mbufs a worker cycles through, so it decides whether their
	 * headers stay in its cache, as they do behind a real ring. */
	B.batch = 1024;
	B.esn = true;
	B.backend = "ipsec-mb";
	B.gen_sleep_us = 100;
	B.dir_out = B.dir_in = true;
	B.pair = true;
	parse_sizes("64,512,1420,imix");
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			B.stages = true;
			break;
		case 'P':
			B.pair = false;
			break;
		case 'W':
			if (strcmp(optarg, "data") == 0)
				gen_writes = 1;
			else if (strcmp(optarg, "mbuf") == 0)
				gen_writes = 0;
			else
				return -EINVAL;
			break;
		case 'n':
			if (strcmp(optarg, "ring") == 0)
				B.sink_null = false;
			else if (strcmp(optarg, "null") == 0)
				B.sink_null = true;
			else
				return -EINVAL;
			break;
		case 'a':
			if (strcmp(optarg, "gcm") == 0)
				B.algo = B_GCM;
			else if (strcmp(optarg, "cbc") == 0)
				B.algo = B_CBC;
			else
				return -EINVAL;
			break;
		case 'w':
			B.nb_workers = (uint16_t)atoi(optarg);
			if (B.nb_workers < 1 || B.nb_workers > B_MAX_SERVERS)
				return -EINVAL;
			break;
		case 's':
			if (parse_sizes(optarg) < 0)
				return -EINVAL;
			break;
		case 'd':
			B.dir_out = strstr(optarg, "out") != NULL;
			B.dir_in = strstr(optarg, "in") != NULL;
			if (!B.dir_out && !B.dir_in)
				return -EINVAL;
			break;
		case 't':
			B.seconds = atof(optarg);
			if (!(B.seconds > 0 && B.seconds < 600))
				return -EINVAL;
			break;
		case 'b':
			B.batch = (uint32_t)atoi(optarg);
			if (B.batch < B_BURST || B.batch > 16384 ||
					B.batch % B_BURST != 0)
				return -EINVAL;
			break;
		case 'e':
			B.esn = atoi(optarg) != 0;
			break;
		case 'k':
			if (strcmp(optarg, "ipsec-mb") != 0 &&
					strcmp(optarg, "cpu") != 0 &&
					strcmp(optarg, "lookaside") != 0)
				return -EINVAL;
			B.backend = optarg;
			break;
		case 'c':
			B.csv = optarg;
			break;
		case 'f':
			B.floor_only = true;
			break;
		case 'l':
			if (strcmp(optarg, "udp") == 0)
				B.l4 = B_L4_UDP;
			else if (strcmp(optarg, "gtpu") == 0)
				B.l4 = B_L4_GTPU;
			else if (strcmp(optarg, "sctp") == 0)
				B.l4 = B_L4_SCTP;
			else
				return -EINVAL;
			break;
		case 'x':
			B.cross = true;
			break;
		case 'g':
			B.gen_sleep_us = (uint32_t)atoi(optarg);
			if (B.gen_sleep_us < 1 || B.gen_sleep_us > 100000)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	/* The NIC model takes the sent mbufs back: ring sinks only. */
	if (gen_writes == 1 && B.sink_null)
		return -EINVAL;
	B.nic = gen_writes == -1 ? !B.sink_null : gen_writes == 1;
	return 0;
}

static const char *
size_name(const struct b_size *z, char *buf, size_t len)
{
	if (z->name != NULL && strcmp(z->name, "imix") == 0)
		return "imix";
	snprintf(buf, len, "%u", z->len[0]);
	return buf;
}

/* "esp" for the plain ESP rows, else the steering scenario. */
static const char *
scenario_name(char *buf, size_t len)
{
	if (!B.cross && B.l4 == B_L4_UDP)
		return "esp";
	snprintf(buf, len, "%s%s", B.cross ? "cross-" : "", b_l4_names[B.l4]);
	return buf;
}

/* The row's 'show runtime', summed over the workers: cycles per packet
 * received, by stage (these add up to the busy cycles per packet). */
static void
emit_stages(void)
{
	uint64_t cyc[SS_STAGE_MAX] = { 0 }, busy = 0, rx = 0, staged = 0;
	unsigned int s;
	uint16_t w;

	for (w = 0; w < ss_app.nb_workers; w++) {
		struct ss_runtime_view v;

		ss_app_runtime_read(&ss_app, w, &v);
		for (s = 0; s < SS_STAGE_MAX; s++)
			cyc[s] += v.stage[s].cycles;
		busy += v.busy;
		rx += v.stage[SS_STAGE_RX].pkts;
	}
	if (rx == 0)
		return;
	printf("    stages (cycles per received packet):");
	for (s = 0; s < SS_STAGE_MAX; s++) {
		staged += cyc[s];
		if (cyc[s] != 0)
			printf(" %s %.1f", ss_app_stage_name(s),
				(double)cyc[s] / rx);
	}
	printf(" other %.1f = %.1f\n", busy > staged ?
		(double)(busy - staged) / rx : 0.0, (double)busy / rx);
	fflush(stdout);
}

static void
emit(FILE *csv, bool out, const struct b_size *z, const struct b_row *r)
{
	const double mpps = B.hz / r->cyc_med / 1e6;
	char nb[16], sc[16];

	printf("  %-10s %-3s %-14s %-9s %5s %uw: %8.1f cyc/pkt (floor %7.1f, overhead "
		"%7.1f; cold floor %7.1f; means, floor beside each batch: "
		"%7.1f, overhead %7.1f, arrival %6.1f) %6.3f Mpps/worker, "
		"wall %6.3f Mpps, "
		"burst %4.1f, %" PRIu64 " pkts, ring-full waits %" PRIu64
		": %s%s\n",
		scenario_name(sc, sizeof(sc)), out ? "out" : "in",
		algo_short(), B.backend, size_name(z, nb, sizeof(nb)),
		B.nb_workers, r->cyc_med, r->floor, r->cyc_med - r->floor,
		r->floor_cold, r->pfloor, r->povh, r->parr,
		mpps, r->wall_mpps, r->burst, r->pkts, r->waits,
		r->ok ? "verified" : "FAIL: ", r->why);
	fflush(stdout);
	if (csv == NULL)
		return;
	fprintf(csv, "%s,%s,%s,%u,%.1f,%.3f,%.3f,%.3f,%.1f,%.1f,%.3f,%.1f,"
		"%.1f,%.1f,%.1f,%.1f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,"
		"%.0f,%s,%s,%.1f,%.1f,%u,%.1f,%.1f,%.1f\n",
		out ? "out" : "in", algo_short(), size_name(z, nb, sizeof(nb)),
		B.nb_workers, r->cyc_med, mpps, mpps * B.nb_workers,
		r->wall_mpps, r->floor, r->cyc_med - r->floor,
		r->cyc_med / r->floor, r->cyc_min, r->cyc_all, r->cyc_w[0],
		B.nb_workers > 1 ? r->cyc_w[1] : NAN, r->burst, r->pkts,
		r->waits, r->batches, r->ok ? "ok" : "FAIL",
		(double)B.hz / 1e6, scenario_name(sc, sizeof(sc)), B.backend,
		r->floor_cold, r->cyc_p10, B.page_kb, r->pfloor, r->povh,
		r->parr);
	fflush(csv);
}

int
main(int argc, char **argv)
{
	static const char *const arch_names[] = {
		"none", "noaesni", "sse", "avx", "avx2", "avx512",
	};
	FILE *csv = NULL;
	char nb_sc[16];
	int rc = 1;
	char *cfg;
	unsigned int i, nfail = 0;
	uint16_t s;
	int ret, dir;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "bench: EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	argv[0] = (char *)(uintptr_t)"ss_bench";
	if (parse_args(argc, argv) < 0) {
		usage("ss_bench");
		rte_eal_cleanup();
		return 2;
	}
	if (rte_lcore_count() < (unsigned int)B.nb_workers + 1) {
		fprintf(stderr, "bench: %u workers need %u lcores "
			"(--lcores)\n", B.nb_workers, B.nb_workers + 1);
		rte_eal_cleanup();
		return 2;
	}
	if (B.cross && B.nb_workers < 2) {
		fprintf(stderr, "bench: --cross needs --workers 2\n");
		rte_eal_cleanup();
		return 2;
	}
	if (B.cross && B.batch > SS_HANDOFF_RING - B_BURST) {
		/* A batch the handoff ring holds whole: a worker the OS
		 * preempts cannot make its peer drop (that would be an
		 * overload test, not a cost measurement). */
		B.batch = SS_HANDOFF_RING - B_BURST;
	}
	B.hz = rte_get_tsc_hz();
	B.key_len = B.algo == B_GCM ? 20 : 48;
	for (s = 0; s < B.nb_workers; s++) {
		for (i = 0; i < B.key_len; i++) {
			B.key_in[s][i] = (uint8_t)rte_rand();
			B.key_out[s][i] = (uint8_t)rte_rand();
		}
		B.spi_in[s] = ss_steer_spi_make(s + 1, 4,
			(uint32_t)rte_rand());
		/* The peer decrypts these for the content check: its
		 * database wants its server's id in the SPI. */
		B.spi_out[s] = ss_steer_spi_make(s + 1, 4,
			(uint32_t)rte_rand());
		for (i = 0; i < B_FLOWS; i++)
			B.id_val[s][i] = B.l4 == B_L4_GTPU ?
				ss_steer_teid_make(s + 1, 4,
					(uint32_t)rte_rand()) :
				ss_steer_vtag_make(s + 1, 4,
					(uint32_t)rte_rand());
	}
	for (i = 0; i < sizeof(B.payload); i++)
		B.payload[i] = (uint8_t)i;
	B.host_mac = (struct rte_ether_addr){ { 2, 0, 0, 0, 0, 1 } };
	B.peer_mac = (struct rte_ether_addr){ { 2, 0, 0, 0, 0, 2 } };

	if (ports_make() < 0)
		goto fail_eal;
	cfg = config_text();
	if (cfg == NULL)
		goto fail_eal;
	ret = ss_app_setup(NULL, cfg);
	explicit_bzero(cfg, strlen(cfg));
	free(cfg);
	if (ret < 0) {
		fprintf(stderr, "bench: gateway set-up failed (%d)\n", ret);
		goto fail_app;
	}
	if (ss_app.nb_workers != B.nb_workers) {
		fprintf(stderr, "bench: %u workers, wanted %u\n",
			ss_app.nb_workers, B.nb_workers);
		goto fail_app;
	}
	if (peer_setup() < 0 || pick_flows() < 0 || rings_find() < 0 ||
			floor_init() < 0 || (B.nic && nic_init() < 0))
		goto fail_peer;
	ports_own_queues();
	for (s = 0; s < B.nb_workers; s++) {
		B.bq[s] = rte_zmalloc("bench_bq", sizeof(void *) * B.batch, 0);
		B.chk[s] = rte_zmalloc("bench_chk", sizeof(uint32_t) * B.batch,
			0);
		if (B.bq[s] == NULL || B.chk[s] == NULL)
			goto fail_peer;
	}
	if (B.csv != NULL) {
		csv = fopen(B.csv, "a");
		if (csv == NULL) {
			perror(B.csv);
			goto fail_peer;
		}
	}
	if (B.floor_only) {
		/* The bare operations alone (no gateway running). */
		for (i = 0; i < B.nb_sizes; i++) {
			char nb[16];
			bool ok1, ok2;
			double e = floor_cycles(true, &B.sizes[i], &ok1, NULL,
				NULL, NULL);
			double d = floor_cycles(false, &B.sizes[i], &ok2,
				NULL, NULL, NULL);

			printf("floor %s %s: encrypt %.1f decrypt %.1f "
				"cycles/packet%s\n", algo_short(),
				size_name(&B.sizes[i], nb, sizeof(nb)), e, d,
				ok1 && ok2 ? "" : " (jobs failed)");
			rc = ok1 && ok2 ? 0 : 1;
		}
		goto fail_peer;
	}
	ret = ss_app_launch();
	if (ret < 0)
		goto fail_peer;
	B.gen_spin = gen_has_own_cpu();
	B.page_kb = page_kb();
	printf("bench: %s, %s, %u worker(s), ESN %s, TSC %.0f MHz, "
		"intel-ipsec-mb %s (%s), %.1f s/row, batch %u/server, "
		"generator writes %s, generator %s, memory in %u KB pages%s\n",
		scenario_name(nb_sc, sizeof(nb_sc)), algo_short(),
		B.nb_workers, B.esn ? "on" : "off",
		(double)B.hz / 1e6, imb_get_version_str(),
		F.arch < RTE_DIM(arch_names) ? arch_names[F.arch] : "?",
		B.seconds, B.batch, B.nic ? "frame bytes (NIC model)" :
		"whole mbufs", B.gen_spin ? "spins (own CPU)" :
		"sleeps (shares the workers' CPUs)", B.page_kb,
		rte_eal_has_hugepages() ? "" : " (--no-huge)");
	fflush(stdout);
	for (dir = 0; dir < 2; dir++) {
		const bool out = dir == 0;

		if ((out && !B.dir_out) || (!out && !B.dir_in))
			continue;
		for (i = 0; i < B.nb_sizes; i++) {
			struct b_row r;

			if (B.stages)
				ss_app_runtime_set(&ss_app, true);
			ret = run_row(out, &B.sizes[i], &r);
			if (B.stages)
				ss_app_runtime_set(&ss_app, false);
			if (ret < 0) {
				fprintf(stderr, "bench: row failed: %s\n",
					strerror(-ret));
				nfail++;
				break;
			}
			emit(csv, out, &B.sizes[i], &r);
			if (B.stages)
				emit_stages();
			nfail += !r.ok;
		}
	}
	if (csv != NULL)
		fclose(csv);
	ss_app.quit = true;
	rte_eal_mp_wait_lcore();
	for (s = 0; s < B_MAX_SERVERS; s++)
		rte_free(B.bq[s]);
	nic_fini();
	floor_fini();
	peer_teardown();
	ss_app_teardown();
	explicit_bzero(B.key_in, sizeof(B.key_in));
	explicit_bzero(B.key_out, sizeof(B.key_out));
	rte_eal_cleanup();
	return nfail ? 1 : 0;

fail_peer:
	ss_app.quit = true;
	rte_eal_mp_wait_lcore();
	nic_fini();
	floor_fini();
	peer_teardown();
fail_app:
	ss_app_teardown();
fail_eal:
	explicit_bzero(B.key_in, sizeof(B.key_in));
	explicit_bzero(B.key_out, sizeof(B.key_out));
	rte_eal_cleanup();
	return rc;
}
