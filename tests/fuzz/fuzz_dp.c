/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Fuzz target for the packet path: what a worker and the control lcore
 * do with a frame off the wire, on the real libraries.
 *
 *   lib/net classification -> punt (ARP / ND / ICMP responders, IP
 *   reassembly, routing-header answers) | ESP: lib/steer by SPI, lib/esp
 *   inbound on the owning server (ipsec-mb and rte_ipsec back-ends), the
 *   inner packets through lib/steer's inner classification and routing |
 *   transit: lib/steer, lib/spd, lib/esp outbound or routing, neighbour
 *   hold.
 *
 * Input: [mode][...]. Mode bit 0 picks the port the frame arrives on.
 * Mode bit 1 clear: the rest is the Ethernet frame as it is. Set: the
 * rest is [sa][seq: 4][plaintext] and the harness wraps the plaintext
 * (the fuzzer's own payload, padding, pad length and next header) in a
 * valid ESP packet of inbound SA 'sa' (OpenSSL computes the cipher text
 * and ICV), so that mutations reach what lib/esp does after the ICV
 * check: trailer, inner header and selector checks, inner steering.
 * Mode bit 2: the frame comes in on a MACsec port (the outside one, a
 * lib/macsec SecY, GCM-AES-XPN-128, validateFrames strict): as it is
 * (bit 1 clear: SecTAG parsing, SC and SA lookup, replay) or protected
 * first by the peer's SecY (bit 1 set: decryption, then the inner frame
 * goes on as above).
 *
 * What is checked besides sanitizers: every mbuf comes back. After each
 * input, the pool holds all of its mbufs but those waiting in the
 * reassembly table and the neighbour hold queues; at the end, once
 * those are freed, all of them ("nothing lost": each packet was sent or
 * dropped with a counter, never leaked).
 *
 * libFuzzer: tests/fuzz/run_libfuzzer.sh (clang, ASan, UBSan).
 * Plain program (-DSS_FUZZ_STANDALONE, built by meson): a built-in
 * mutator runs N iterations (argv[1], default 20000) over seed frames.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <rte_cycles.h>
#include <rte_memory.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ss_config.h"
#include "ss_macsec.h"
#include "ss_esp.h"
#include "ss_net.h"
#include "ss_net_reasm.h"
#include "ss_sa.h"
#include "ss_spd.h"
#include "ss_steer.h"
#include "ss_fuzz.h"
#include "tests/unit/ss_test_esp.h"

#define addr(a, fam, host) ss_test_esp_addr(a, fam, host)

#define FZ_BURST 32
#define FZ_POOL 4095
#define FZ_BITS 4
#define FZ_MAX_FRAME 4096
#define NB_IN_SA 5

static const uint16_t port_ids[2] = { 10, 11 };
static const struct rte_ether_addr mac[2] = {
	{{ 0x02, 0xaa, 0, 0, 0, 0x01 }},	/* inside */
	{{ 0x02, 0xaa, 0, 0, 1, 0x01 }},	/* outside */
};
static const struct rte_ether_addr host_mac = {{ 0x02, 0xcc, 0, 0, 0, 2 }};
static const uint16_t ids[2] = { 1, 2 };

/* The inbound SAs: the peer (192.0.2.1 / 2001:db8::1) sends to us
 * (192.0.2.2 / 2001:db8::2), on the outside port. */
struct in_sa {
	uint32_t spi;
	uint16_t server;
	enum ss_sa_algo algo;
	enum ss_sa_mode mode;
	enum ss_sa_backend be;
	uint8_t ofam, ifam;
	bool udp, esn;
	uint8_t key[SS_SA_KEY_MAX];
	uint8_t key_len;
	uint64_t seq_hi;	/* ESN: the high half the harness uses */
};

static struct in_sa in_sa[NB_IN_SA] = {
	{ 0x10000101, 0, SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		SS_SA_BACKEND_IPSEC_MB, AF_INET, AF_INET, false, false,
		{ 0 }, 0, 0 },
	{ 0x20000102, 1, SS_SA_ALGO_AES_CBC_128_HMAC_SHA256,
		SS_SA_MODE_TUNNEL, SS_SA_BACKEND_IPSEC_MB, AF_INET6, AF_INET6,
		false, true, { 0 }, 0, 0 },
	{ 0x10000103, 0, SS_SA_ALGO_AES_GCM_256, SS_SA_MODE_TRANSPORT,
		SS_SA_BACKEND_IPSEC_MB, AF_INET, AF_INET, true, false,
		{ 0 }, 0, 0 },
	{ 0x20000104, 1, SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		SS_SA_BACKEND_CPU, AF_INET, AF_INET6, false, false,
		{ 0 }, 0, 0 },
	{ 0x10000105, 0, SS_SA_ALGO_NULL_HMAC_SHA256, SS_SA_MODE_TUNNEL,
		SS_SA_BACKEND_IPSEC_MB, AF_INET6, AF_INET, true, true,
		{ 0 }, 0, 0 },
};

static struct {
	struct rte_mempool *mp;
	struct ss_config cfg;
	struct ss_net_stats nst;
	struct ss_net_reasm *reasm;
	struct ss_net_reasm_stats rst;
	struct ss_steer_ctx *steer;
	struct ss_steer_stats sst;
	struct ss_sa_db *db;
	struct ss_esp_server *esp[2];
	struct ss_spd *spd;
	struct ss_macsec *sy;		/* our SecY on the outside port */
	struct ss_macsec *peer_sy;	/* the peer's, to protect frames */
	uint64_t now;
	uint64_t sent, inputs;
} F;

static void
die(const char *what, int err)
{
	fprintf(stderr, "fuzz_dp: %s: %s\n", what, strerror(err < 0 ? -err :
		err));
	exit(1);
}

static int
tx_sink(uint8_t port, struct rte_mbuf *m, void *arg)
{
	(void)port;
	(void)arg;
	F.sent++;
	rte_pktmbuf_free(m);
	return 0;
}

static void
pfx(struct ss_prefix *p, const char *s)
{
	if (ss_prefix_parse(s, p) < 0)
		die(s, EINVAL);
}

static void
ipa(struct ss_ipaddr *a, const char *s)
{
	if (ss_ipaddr_parse(s, a) < 0)
		die(s, EINVAL);
}

/* inside (0): 10.0.0.1/24, 2001:db8:1::1/64; outside (1): 192.0.2.2/24,
 * 2001:db8::2/64, MTU 1400. Default routes: IPv4 via 10.0.0.254 (a
 * static neighbour), IPv6 via 2001:db8:1::fe (never answers: packets
 * wait on it until they time out). */
static void
net_setup(void)
{
	struct ss_config *c = &F.cfg;
	int ret;

	memset(c, 0, sizeof(*c));
	c->nb_ports = 2;
	snprintf(c->ports[0].name, sizeof(c->ports[0].name), "inside");
	c->ports[0].mtu = 1500;
	pfx(&c->ports[0].addrs[0], "10.0.0.1/24");
	pfx(&c->ports[0].addrs[1], "2001:db8:1::1/64");
	c->ports[0].nb_addrs = 2;
	snprintf(c->ports[1].name, sizeof(c->ports[1].name), "outside");
	c->ports[1].mtu = 1400;
	pfx(&c->ports[1].addrs[0], "192.0.2.2/24");
	pfx(&c->ports[1].addrs[1], "2001:db8::2/64");
	c->ports[1].nb_addrs = 2;
	pfx(&c->routes[0].dst, "0.0.0.0/0");
	c->routes[0].has_via = true;
	ipa(&c->routes[0].via, "10.0.0.254");
	c->routes[0].port = 0;
	pfx(&c->routes[1].dst, "::/0");
	c->routes[1].has_via = true;
	ipa(&c->routes[1].via, "2001:db8:1::fe");
	c->routes[1].port = 0;
	c->nb_routes = 2;
	c->neigh[0].port = 0;
	ipa(&c->neigh[0].ip, "10.0.0.254");
	c->neigh[0].mac = host_mac;
	c->neigh[1].port = 1;
	ipa(&c->neigh[1].ip, "192.0.2.1");
	c->neigh[1].mac = host_mac;
	c->nb_neigh = 2;
	c->arp_hold_ms = 50;
	c->arp_hold_pkts = 4;
	ret = ss_net_init(c, port_ids, mac, SOCKET_ID_ANY);
	if (ret < 0)
		die("ss_net_init", ret);
	ss_net_ctl_set_tx(tx_sink, NULL, F.mp);
	F.reasm = ss_net_reasm_create("fz_reasm", 64, 20, F.mp,
		SOCKET_ID_ANY);
	if (F.reasm == NULL)
		die("ss_net_reasm_create", ENOMEM);
}

static void
sa_add(const struct ss_sa_params *p)
{
	int ret = ss_sa_add(F.db, p, NULL);

	if (ret < 0) {
		fprintf(stderr, "fuzz_dp: SA %08x: %s\n", p->spi,
			ss_sa_db_errstr(F.db));
		exit(1);
	}
}

/* Two servers, one tunnel: the inbound SAs above (one with traffic
 * selectors) and an outbound SA per server (GCM-128, and CBC over UDP),
 * tunnel mode over IPv4, outer MTU 1400. */
static void
sa_setup(void)
{
	struct ss_sa_db_conf c = {
		.name = "fz", .nb_servers = 2, .instance_bits = FZ_BITS,
		.ids = ids, .max_tunnels = 2, .max_sa_per_server = 16,
		.socket = SOCKET_ID_ANY,
	};
	struct ss_sa_tunnel_params tp = { .name = "t0" };
	struct ss_sa_params p;
	unsigned int i, k;
	int ret;

	ret = ss_esp_crypto_init(SOCKET_ID_ANY, 2);
	if (ret < 0)
		die("ss_esp_crypto_init", ret);
	F.db = ss_sa_db_create(&c, NULL);
	if (F.db == NULL)
		die("ss_sa_db_create", rte_errno);
	ret = ss_esp_attach(F.db);
	if (ret == 0)
		ret = ss_sa_tunnel_add(F.db, &tp, NULL);
	if (ret < 0)
		die("SA database", ret);
	for (i = 0; i < NB_IN_SA; i++) {
		struct in_sa *s = &in_sa[i];

		memset(&p, 0, sizeof(p));
		p.spi = s->spi;
		p.dir = SS_SA_DIR_IN;
		p.server = s->server;
		p.algo = s->algo;
		p.mode = s->mode;
		p.backend = s->be;
		p.inner_family = s->ifam;
		p.udp_encap = s->udp;
		p.esn = s->esn;
		p.replay_window = i == 1 ? 128 : 64;
		addr(&p.local, s->ofam, 2);
		addr(&p.peer, s->ofam, 1);
		p.key_len = ss_sa_algo_key_len(s->algo);
		for (k = 0; k < p.key_len; k++)
			p.key[k] = (uint8_t)(0x3b * (k + 1) + i);
		memcpy(s->key, p.key, p.key_len);
		s->key_len = p.key_len;
		/* traffic selectors on three of them: inner 10.0.0.0/8 ->
		 * anything; 2001:db8:99::/48 -> anything; UDP to
		 * 2001:db8:1::/48 port 2152 (the seeds' inner packets pass) */
		p.ts[0].sport_hi = 65535;
		p.ts[0].dport_hi = 65535;
		if (i == 0)
			pfx(&p.ts[0].src, "10.0.0.0/8");
		if (i == 1)
			pfx(&p.ts[0].src, "2001:db8:99::/48");
		if (i == 3) {
			pfx(&p.ts[0].dst, "2001:db8:1::/48");
			p.ts[0].proto = IPPROTO_UDP;
			p.ts[0].dport_lo = 2152;
			p.ts[0].dport_hi = 2152;
		}
		p.nb_ts = i == 0 || i == 1 || i == 3;
		sa_add(&p);
	}
	for (i = 0; i < 2; i++) {
		memset(&p, 0, sizeof(p));
		p.spi = i == 0 ? 0x10000201 : 0x20000202;
		p.dir = SS_SA_DIR_OUT;
		p.server = (uint16_t)i;
		p.algo = i == 0 ? SS_SA_ALGO_AES_GCM_128 :
			SS_SA_ALGO_AES_CBC_128_HMAC_SHA256;
		p.mode = SS_SA_MODE_TUNNEL;
		p.backend = SS_SA_BACKEND_IPSEC_MB;
		p.inner_family = AF_INET;
		p.udp_encap = i == 1;
		p.mtu = 1400;
		addr(&p.local, AF_INET, 2);
		addr(&p.peer, AF_INET, 1);
		p.key_len = ss_sa_algo_key_len(p.algo);
		for (k = 0; k < p.key_len; k++)
			p.key[k] = (uint8_t)(0x5d * (k + 1) + i);
		sa_add(&p);
	}
	for (i = 0; i < 2; i++) {
		F.esp[i] = ss_esp_server_create(F.db, (uint16_t)i,
			SOCKET_ID_ANY);
		if (F.esp[i] == NULL)
			die("ss_esp_server_create", rte_errno);
	}
	F.steer = ss_steer_ctx_create(FZ_BITS, ids, 2);
	if (F.steer == NULL)
		die("ss_steer_ctx_create", rte_errno);
}

static void
spd_rule(const char *name, uint8_t fam, const char *src, const char *dst,
	uint8_t proto, uint16_t dport, enum ss_spd_action a)
{
	struct ss_spd_rule r;
	int ret;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.priority = 10;
	r.family = fam;
	pfx(&r.src, src);
	pfx(&r.dst, dst);
	r.proto = proto;
	r.sport_hi = 65535;
	r.dport_lo = dport;
	r.dport_hi = dport != 0 ? dport : 65535;
	r.action = a;
	r.tunnel = 0;
	ret = ss_spd_add(F.spd, &r);
	if (ret < 0)
		die(name, ret);
}

/* 10/8 -> 172.16/12 and 2001:db8:1::/48 -> 2001:db8:99::/48 PROTECT
 * (tunnel 0), UDP 9 into 10.99/16 DISCARD, the rest BYPASS. */
static void
spd_setup(void)
{
	void *old = NULL;
	int ret;

	F.spd = ss_spd_create("fz_spd", SOCKET_ID_ANY);
	if (F.spd == NULL)
		die("ss_spd_create", rte_errno);
	spd_rule("p4", AF_INET, "10.0.0.0/8", "172.16.0.0/12", 0, 0,
		SS_SPD_PROTECT);
	spd_rule("p6", AF_INET6, "2001:db8:1::/48", "2001:db8:99::/48", 0, 0,
		SS_SPD_PROTECT);
	spd_rule("d4", AF_INET, "10.0.0.0/8", "10.99.0.0/16", IPPROTO_UDP,
		9, SS_SPD_DISCARD);
	ret = ss_spd_build(F.spd);
	if (ret == 0)
		ret = ss_spd_commit(F.spd, &old);
	if (ret < 0)
		die("SPD", ret);
	ss_spd_snapshot_free(old);
}

#define FZ_PEER_SCI 0x02cc00000002ull
#define FZ_OUR_SCI 0x02aa00000101ull

/* Our SecY and the peer's, one SA each way in AN 0, the same SAK. */
static void
macsec_setup(void)
{
	struct ss_macsec_conf c = {
		.cipher = SS_MACSEC_GCM_AES_XPN_128, .confidentiality = true,
		.replay_protect = true, .replay_window = 32,
		.validate = SS_MACSEC_VALIDATE_STRICT, .socket = SOCKET_ID_ANY,
	};
	struct ss_macsec_key k = { .sak_len = 16, .ssci = 2 };
	char err[128];
	unsigned int i;

	for (i = 0; i < 16; i++)
		k.sak[i] = (uint8_t)(0xa7 + 13 * i);
	for (i = 0; i < 12; i++)
		k.salt[i] = (uint8_t)(0x51 * i);
	c.sci = FZ_OUR_SCI << 16 | 1;
	F.sy = ss_macsec_create(&c, err, sizeof(err));
	c.sci = FZ_PEER_SCI << 16 | 1;
	F.peer_sy = ss_macsec_create(&c, err, sizeof(err));
	if (F.sy == NULL || F.peer_sy == NULL ||
			ss_macsec_rx_sc_add(F.sy, FZ_PEER_SCI << 16 | 1) < 0 ||
			ss_macsec_rx_sa_install(F.sy, FZ_PEER_SCI << 16 | 1, 0,
				&k, 1) < 0 ||
			ss_macsec_tx_sa_install(F.peer_sy, 0, &k, 1) < 0 ||
			ss_macsec_tx_sa_use(F.peer_sy, 0) < 0)
		die("MACsec", EINVAL);
}

static void
setup(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	ss_fuzz_eal_init("fuzz_dp");
	F.mp = rte_pktmbuf_pool_create("fz_pool", FZ_POOL, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (F.mp == NULL)
		die("mbuf pool", rte_errno);
	net_setup();
	sa_setup();
	spd_setup();
	macsec_setup();
	F.now = rte_rdtsc();
}

/* ---- the path ------------------------------------------------------- */

static void
strip_l2(struct rte_mbuf *m)
{
	rte_pktmbuf_adj(m, m->l2_len);
	m->l2_len = 0;
}

/* Routed packets (data at L2, or at L3 with l2_len 0). */
static void
forward(struct rte_mbuf **m, uint16_t n, bool originated)
{
	int16_t res[FZ_BURST];
	uint16_t i;

	if (n == 0)
		return;
	if (originated)
		ss_net_output_burst(m, n, res, &F.nst);
	else
		ss_net_forward_burst(m, n, res, &F.nst);
	for (i = 0; i < n; i++) {
		if (res[i] >= 0)
			tx_sink((uint8_t)res[i], m[i], NULL);
		else if (res[i] == SS_NET_FWD_HOLD)
			ss_net_ctl_hold(m[i], &F.nst);
		else
			rte_pktmbuf_free(m[i]);	/* too big: ICMP, not here */
	}
}

/* Transit (data at L2): the SPD, then ESP or routing. */
static void
transit(uint16_t srv, struct rte_mbuf **m, uint16_t n)
{
	const struct ss_spd_snapshot *s = ss_spd_snapshot_get(F.spd);
	struct rte_mbuf *prot[FZ_BURST], *clear[FZ_BURST], *out[FZ_BURST];
	uint32_t res[FZ_BURST], tun[FZ_BURST];
	struct ss_esp_aside tb;
	uint16_t i, np = 0, nc = 0, k;

	if (n == 0)
		return;
	ss_spd_lookup_burst(s, m, n, res);
	for (i = 0; i < n; i++) {
		switch (SS_SPD_RES_ACTION(res[i])) {
		case SS_SPD_PROTECT:
			tun[np] = SS_SPD_RES_TUNNEL(res[i]);
			strip_l2(m[i]);
			prot[np++] = m[i];
			break;
		case SS_SPD_BYPASS:
			clear[nc++] = m[i];
			break;
		default:
			rte_pktmbuf_free(m[i]);
			break;
		}
	}
	forward(clear, nc, false);
	if (np == 0)
		return;
	tb.hold = false;
	tb.n = 0;
	tb.nh = 0;
	tb.nd = 0;
	k = ss_esp_outbound_burst(F.esp[srv], prot, np, tun, out, &tb);
	for (i = 0; i < tb.n; i++)
		rte_pktmbuf_free(tb.m[i]);
	forward(out, k, true);
}

/* ESP to us (data at L2) of server srv. */
static void
esp_in(uint16_t srv, struct rte_mbuf **m, uint16_t n)
{
	struct rte_mbuf *out[FZ_BURST];
	uint16_t owner[FZ_BURST], i, k;
	uint8_t kind[FZ_BURST];

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		strip_l2(m[i]);
	k = ss_esp_inbound_burst(F.esp[srv], m, n, out, NULL);
	if (k == 0)
		return;
	ss_steer_classify_inner_burst(F.steer, out, k, owner, kind, &F.sst);
	forward(out, k, false);
}

static void frames(struct rte_mbuf **m, uint16_t n, uint8_t port,
	unsigned int depth);

/* What the control lcore does with a punted frame. */
static void
punted(struct rte_mbuf *m, uint8_t port, unsigned int depth)
{
	int ptr;

	if ((m->packet_type & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_FRAG) {
		m = ss_net_reasm_input(F.reasm, m, F.now, &F.rst);
		/* a whole datagram is classified again, as the control
		 * lcore does, once */
		if (m != NULL) {
			if (depth == 0)
				frames(&m, 1, port, depth + 1);
			else
				rte_pktmbuf_free(m);
		}
		return;
	}
	ptr = ss_net_ip6_rh_pointer(m);
	if (ptr >= 0 && (uint32_t)ptr + m->l2_len > rte_pktmbuf_data_len(m))
		abort();	/* a pointer outside the packet */
	if (ss_net_ctl_input(m, port, &F.nst) == -ENOTSUP)
		rte_pktmbuf_free(m);
}

static void
frames(struct rte_mbuf **m, uint16_t n, uint8_t port, unsigned int depth)
{
	struct rte_mbuf *esp[2][FZ_BURST], *tr[2][FZ_BURST];
	uint16_t ne[2] = { 0, 0 }, nt[2] = { 0, 0 };
	uint16_t owner[FZ_BURST], i, s;
	uint8_t cls[FZ_BURST], kind[FZ_BURST];
	struct rte_mbuf *st[FZ_BURST];
	uint16_t nst = 0;

	ss_net_classify_burst(m, n, port, cls, &F.nst);
	for (i = 0; i < n; i++) {
		switch (cls[i]) {
		case SS_NET_CLASS_PUNT:
			punted(m[i], port, depth);
			break;
		case SS_NET_CLASS_ESP:
		case SS_NET_CLASS_FORWARD:
			st[nst] = m[i];
			cls[nst++] = cls[i];
			break;
		default:
			rte_pktmbuf_free(m[i]);
			break;
		}
	}
	if (nst == 0)
		return;
	ss_steer_classify_burst(F.steer, st, nst, owner, kind, &F.sst);
	for (i = 0; i < nst; i++) {
		/* no owner (an SPI of no server): server 0, as a worker
		 * keeps what it cannot hand over; lib/esp then drops an
		 * SPI it has no SA for */
		s = owner[i] < 2 ? owner[i] : 0;
		if (cls[i] == SS_NET_CLASS_ESP)
			esp[s][ne[s]++] = st[i];
		else
			tr[s][nt[s]++] = st[i];
	}
	for (s = 0; s < 2; s++) {
		esp_in(s, esp[s], ne[s]);
		transit(s, tr[s], nt[s]);
	}
}

/* ---- inputs --------------------------------------------------------- */

static size_t
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

/* ESP of SA s around plaintext pt (its trailer included) with sequence
 * number seq, as a frame to us at f; its length, or 0. */
static size_t
esp_frame(uint8_t *f, size_t cap, const struct in_sa *s, uint32_t seq,
	const uint8_t *pt, size_t ptlen)
{
	const bool gcm = s->algo == SS_SA_ALGO_AES_GCM_128 ||
		s->algo == SS_SA_ALGO_AES_GCM_256;
	const bool cbc = s->algo == SS_SA_ALGO_AES_CBC_128_HMAC_SHA256 ||
		s->algo == SS_SA_ALGO_AES_CBC_256_HMAC_SHA256;
	const size_t ivlen = gcm ? 8 : cbc ? 16 : 0;
	const size_t ohl = s->ofam == AF_INET ? 20 : 40;
	const size_t udp = s->udp ? 8 : 0;
	size_t len, esp_len, i;
	uint8_t *ip, *e, *iv, *ct, nonce[12], aad[12];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	unsigned int hl;
	int outl;

	if (cbc)
		ptlen &= ~(size_t)15;
	esp_len = 8 + ivlen + ptlen + 16;
	len = RTE_ETHER_HDR_LEN + ohl + udp + esp_len;
	if (len > cap || ptlen == 0)
		return 0;
	memset(f, 0, RTE_ETHER_HDR_LEN + ohl + udp);
	eh->dst_addr = mac[1];
	eh->src_addr = host_mac;
	eh->ether_type = rte_cpu_to_be_16(s->ofam == AF_INET ?
		RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	ip = f + RTE_ETHER_HDR_LEN;
	if (s->ofam == AF_INET) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
		struct ss_ipaddr a, b;

		addr(&a, AF_INET, 1);
		addr(&b, AF_INET, 2);
		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16((uint16_t)(ohl + udp +
			esp_len));
		h->time_to_live = 64;
		h->next_proto_id = s->udp ? IPPROTO_UDP : IPPROTO_ESP;
		h->src_addr = a.v4;
		h->dst_addr = b.v4;
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;
		struct ss_ipaddr a, b;

		addr(&a, AF_INET6, 1);
		addr(&b, AF_INET6, 2);
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16((uint16_t)(udp + esp_len));
		h->proto = s->udp ? IPPROTO_UDP : IPPROTO_ESP;
		h->hop_limits = 64;
		memcpy(h->src_addr, a.v6, 16);
		memcpy(h->dst_addr, b.v6, 16);
	}
	if (s->udp) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + ohl);

		u->src_port = RTE_BE16(4500);
		u->dst_port = RTE_BE16(4500);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + esp_len));
	}
	e = ip + ohl + udp;
	put_be32(e, s->spi);
	put_be32(e + 4, seq);
	iv = e + 8;
	for (i = 0; i < ivlen; i++)
		iv[i] = (uint8_t)(seq * 7 + i);
	ct = iv + ivlen;
	hl = s->esn ? 12 : 8;
	put_be32(aad, s->spi);
	if (s->esn) {
		put_be32(aad + 4, (uint32_t)s->seq_hi);
		put_be32(aad + 8, seq);
	} else {
		put_be32(aad + 4, seq);
	}
	if (gcm) {
		const size_t kl = s->key_len - 4;
		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
		bool ok;

		memcpy(nonce, s->key + kl, 4);
		memcpy(nonce + 4, iv, 8);
		ok = c != NULL && EVP_EncryptInit_ex(c, kl == 16 ?
			EVP_aes_128_gcm() : EVP_aes_256_gcm(), NULL, s->key,
			nonce) == 1 &&
			EVP_EncryptUpdate(c, NULL, &outl, aad, (int)hl) == 1 &&
			EVP_EncryptUpdate(c, ct, &outl, pt, (int)ptlen) == 1 &&
			EVP_EncryptFinal_ex(c, ct + ptlen, &outl) == 1 &&
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16,
				ct + ptlen) == 1;
		EVP_CIPHER_CTX_free(c);
		return ok ? len : 0;
	}
	if (cbc) {
		const size_t kl = s->key_len - 32;
		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
		bool ok;

		ok = c != NULL && EVP_EncryptInit_ex(c, kl == 16 ?
			EVP_aes_128_cbc() : EVP_aes_256_cbc(), NULL, s->key,
			iv) == 1 && EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
			EVP_EncryptUpdate(c, ct, &outl, pt, (int)ptlen) == 1;
		EVP_CIPHER_CTX_free(c);
		if (!ok)
			return 0;
	} else {
		memcpy(ct, pt, ptlen);
	}
	{
		/* HMAC-SHA-256-128 over the ESP header, IV and cipher text,
		 * then the high sequence half with ESN (RFC 4303 2.2.1),
		 * which goes where the ICV will be, for the while */
		const uint8_t *ak = s->key + s->key_len - 32;
		uint8_t mac_out[EVP_MAX_MD_SIZE];
		unsigned int ml = 0;

		if (s->esn)
			put_be32(ct + ptlen, (uint32_t)s->seq_hi);
		if (HMAC(EVP_sha256(), ak, 32, e, 8 + ivlen + ptlen +
				(s->esn ? 4 : 0), mac_out, &ml) == NULL)
			return 0;
		memcpy(ct + ptlen, mac_out, 16);
	}
	return len;
}

#define NB_SEEDS 48

static uint8_t seed_buf[NB_SEEDS][FZ_MAX_FRAME];
static size_t seed_len[NB_SEEDS];
static unsigned int nb_seeds;

static void
seed(const uint8_t *b, size_t len)
{
	if (nb_seeds < NB_SEEDS && len <= FZ_MAX_FRAME) {
		memcpy(seed_buf[nb_seeds], b, len);
		seed_len[nb_seeds++] = len;
	}
}

/* An Ethernet + IP + L4 frame to port 'port' as input: mode byte, then
 * the frame. */
static size_t
frame(uint8_t *b, uint8_t port, uint8_t fam, const char *src,
	const char *dst, uint8_t proto, const uint8_t *l4, size_t l4len)
{
	const size_t hl = fam == AF_INET ? 20 : 40;
	struct rte_ether_hdr eh = {
		.dst_addr = mac[port], .src_addr = host_mac,
		.ether_type = rte_cpu_to_be_16(fam == AF_INET ?
			RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6),
	};
	uint8_t *ip = b + 1 + RTE_ETHER_HDR_LEN;
	struct ss_ipaddr a, d;

	ipa(&a, src);
	ipa(&d, dst);
	b[0] = port;
	memcpy(b + 1, &eh, sizeof(eh));
	memset(ip, 0, hl);
	if (fam == AF_INET) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16((uint16_t)(hl + l4len));
		h->time_to_live = 64;
		h->next_proto_id = proto;
		h->src_addr = a.v4;
		h->dst_addr = d.v4;
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16((uint16_t)l4len);
		h->proto = proto;
		h->hop_limits = 64;
		memcpy(h->src_addr, a.v6, 16);
		memcpy(h->dst_addr, d.v6, 16);
	}
	memcpy(ip + hl, l4, l4len);
	return 1 + RTE_ETHER_HDR_LEN + hl + l4len;
}

/* An ICMP / ICMPv6 seed made by frame(): its checksum, and for ND the
 * hop limit of 255 (not in the checksum). */
static size_t
icmp_fix(uint8_t *b, size_t n, uint8_t hops)
{
	uint8_t *ip = b + 1 + RTE_ETHER_HDR_LEN;
	uint16_t c;

	if ((ip[0] >> 4) == 4) {
		uint8_t *l4 = ip + 20;

		l4[2] = l4[3] = 0;
		c = (uint16_t)~rte_raw_cksum(l4, n - 1 - RTE_ETHER_HDR_LEN -
			20);
	} else {
		struct rte_ipv6_hdr h;

		ip[7] = hops;
		ip[40 + 2] = ip[40 + 3] = 0;
		memcpy(&h, ip, sizeof(h));
		c = rte_ipv6_udptcp_cksum(&h, ip + 40);
	}
	memcpy(ip + (((ip[0] >> 4) == 4) ? 20 : 40) + 2, &c, 2);
	return n;
}

/* A valid inner packet as an authenticated-ESP input's plaintext for SA
 * k: inner IP (tunnel mode) + UDP + payload, then the ESP trailer. */
static size_t
esp_seed(uint8_t *b, unsigned int k, uint32_t seq, uint16_t plen)
{
	const struct in_sa *s = &in_sa[k];
	const bool tun = s->mode == SS_SA_MODE_TUNNEL;
	const uint8_t fam = tun ? s->ifam : s->ofam;
	const size_t hl = fam == AF_INET ? 20 : 40;
	uint8_t *pt = b + 6, *ip = pt, *u;
	size_t n = 0, pad;

	b[0] = 2 | 1;
	b[1] = (uint8_t)k;
	put_be32(b + 2, seq);
	if (tun) {
		memset(ip, 0, hl);
		if (fam == AF_INET) {
			struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

			h->version_ihl = 0x45;
			h->total_length = rte_cpu_to_be_16((uint16_t)(hl + 8 +
				plen));
			h->time_to_live = 64;
			h->next_proto_id = IPPROTO_UDP;
			h->src_addr = rte_cpu_to_be_32(0x0a000005);
			h->dst_addr = rte_cpu_to_be_32(0x0a000002);
			h->hdr_checksum = rte_ipv4_cksum(h);
		} else {
			struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;
			struct ss_ipaddr a, d;

			ipa(&a, "2001:db8:99::5");
			ipa(&d, "2001:db8:1::2");
			h->vtc_flow = rte_cpu_to_be_32(6u << 28);
			h->payload_len = rte_cpu_to_be_16((uint16_t)(8 + plen));
			h->proto = IPPROTO_UDP;
			h->hop_limits = 64;
			memcpy(h->src_addr, a.v6, 16);
			memcpy(h->dst_addr, d.v6, 16);
		}
		n = hl;
	}
	u = pt + n;
	memset(u, 0, 8);
	u[1] = 7;
	u[3] = (uint8_t)2152 & 0xff;
	u[2] = 2152 >> 8;		/* GTP-U: inner steering */
	u[5] = (uint8_t)(8 + plen);
	n += 8;
	memset(pt + n, 0x30, plen);
	if (plen >= 8) {
		pt[n] = 0x30;		/* GTP-U v1 G-PDU, TEID of id 2 */
		pt[n + 1] = 0xff;
		put_be32(pt + n + 4, 0x20000077);
	}
	n += plen;
	/* padding 1, 2, ..., to 16 bytes, pad length, next header */
	pad = (16 - (n + 2) % 16) % 16;
	for (size_t i = 0; i < pad; i++)
		pt[n++] = (uint8_t)(i + 1);
	pt[n++] = (uint8_t)pad;
	pt[n++] = tun ? (fam == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6) :
		IPPROTO_UDP;
	return 6 + n;
}

static void
seeds_make(void)
{
	uint8_t b[FZ_MAX_FRAME], l4[1600];
	unsigned int k;
	size_t n;

	memset(l4, 0, sizeof(l4));
	/* ICMP echo to us, both families */
	l4[0] = 8;
	n = frame(b, 0, AF_INET, "10.0.0.5", "10.0.0.1", IPPROTO_ICMP, l4,
		16);
	seed(b, icmp_fix(b, n, 64));
	l4[0] = 128;
	n = frame(b, 0, AF_INET6, "2001:db8:1::5", "2001:db8:1::1",
		IPPROTO_ICMPV6, l4, 16);
	seed(b, icmp_fix(b, n, 64));
	/* ND: a solicitation for our outside address (with the source's
	 * link-layer address), and the inside default gateway's
	 * advertisement (solicited, override, its link-layer address),
	 * which lets out what waits for it */
	memset(l4, 0, 32);
	l4[0] = 135;
	{
		struct ss_ipaddr t;

		ipa(&t, "2001:db8::2");
		memcpy(l4 + 8, t.v6, 16);
		l4[24] = 1;
		l4[25] = 1;
		memcpy(l4 + 26, host_mac.addr_bytes, 6);
		n = frame(b, 1, AF_INET6, "2001:db8::1", "2001:db8::2",
			IPPROTO_ICMPV6, l4, 32);
		seed(b, icmp_fix(b, n, 255));
		memset(l4, 0, 32);
		l4[0] = 136;
		l4[4] = 0x60;
		ipa(&t, "2001:db8:1::fe");
		memcpy(l4 + 8, t.v6, 16);
		l4[24] = 2;
		l4[25] = 1;
		memcpy(l4 + 26, host_mac.addr_bytes, 6);
		n = frame(b, 0, AF_INET6, "2001:db8:1::fe", "2001:db8:1::1",
			IPPROTO_ICMPV6, l4, 32);
		seed(b, icmp_fix(b, n, 255));
	}
	memset(l4, 0, sizeof(l4));
	/* transit: protected, bypassed, discarded; IPv6 protected (to an
	 * IPv4-only SA) and bypassed (waits for ND) */
	l4[0] = 0x04;
	l4[1] = 0xd2;
	l4[3] = 9;
	l4[5] = 40;
	seed(b, frame(b, 0, AF_INET, "10.0.0.5", "172.16.1.1", IPPROTO_UDP,
		l4, 40));
	seed(b, frame(b, 0, AF_INET, "10.0.0.5", "198.18.0.1", IPPROTO_UDP,
		l4, 40));
	seed(b, frame(b, 0, AF_INET, "10.0.0.5", "10.99.0.1", IPPROTO_UDP,
		l4, 40));
	seed(b, frame(b, 0, AF_INET6, "2001:db8:1::5", "2001:db8:99::1",
		IPPROTO_UDP, l4, 40));
	seed(b, frame(b, 0, AF_INET6, "2001:db8:1::5", "2001:db8:77::1",
		IPPROTO_UDP, l4, 40));
	/* too big once protected */
	l4[4] = 1400 >> 8;
	l4[5] = 1400 & 0xff;
	seed(b, frame(b, 0, AF_INET, "10.0.0.5", "172.16.1.1", IPPROTO_UDP,
		l4, 1400));
	/* GTP-U and SCTP transit with ids */
	memset(l4, 0, 64);
	l4[2] = 2152 >> 8;
	l4[3] = 2152 & 0xff;
	l4[5] = 24;
	l4[8] = 0x30;
	l4[9] = 0xff;
	put_be32(l4 + 12, 0x20000044);
	seed(b, frame(b, 0, AF_INET, "10.0.0.5", "172.16.1.1", IPPROTO_UDP,
		l4, 24));
	memset(l4, 0, 64);
	put_be32(l4 + 4, 0x10000033);
	seed(b, frame(b, 0, AF_INET, "10.0.0.5", "172.16.1.1", IPPROTO_SCTP,
		l4, 28));
	/* IKE to us (UDP 500, and 4500 with the non-ESP marker) */
	memset(l4, 0, 64);
	l4[1] = 0xf4;
	l4[3] = 0xf4;
	l4[1] = 500 & 0xff;
	l4[0] = 500 >> 8;
	l4[2] = 500 >> 8;
	l4[3] = 500 & 0xff;
	l4[5] = 36;
	seed(b, frame(b, 1, AF_INET, "192.0.2.1", "192.0.2.2", IPPROTO_UDP,
		l4, 36));
	/* IPv6 fragments to us, with options and a routing header in
	 * front; a routing header that names a further hop */
	memset(l4, 0, 64);
	l4[0] = 43;		/* destination options, 8 bytes */
	l4[8] = 44;		/* routing, 8 bytes, no segments left */
	l4[16] = 58;		/* fragment: offset 0, more */
	l4[19] = 1;
	l4[23] = 7;
	l4[24] = 128;
	seed(b, frame(b, 1, AF_INET6, "2001:db8::1", "2001:db8::2",
		IPPROTO_DSTOPTS, l4, 56));
	l4[16] = 58;
	l4[18] = 0;
	l4[19] = 32 | 0;	/* offset 32 bytes, last */
	seed(b, frame(b, 1, AF_INET6, "2001:db8::1", "2001:db8::2",
		IPPROTO_DSTOPTS, l4, 40));
	l4[11] = 1;		/* segments left 1 */
	seed(b, frame(b, 1, AF_INET6, "2001:db8::1", "2001:db8::2",
		IPPROTO_DSTOPTS, l4, 56));
	/* IPv4 fragments to us: ESP in two pieces */
	memset(l4, 0, 64);
	put_be32(l4, in_sa[0].spi);
	n = frame(b, 1, AF_INET, "192.0.2.1", "192.0.2.2", IPPROTO_ESP, l4,
		48);
	b[1 + 14 + 6] = 0x20;	/* MF */
	b[1 + 14 + 10] = b[1 + 14 + 11] = 0;
	{
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(b + 15);

		h->hdr_checksum = rte_ipv4_cksum(h);
	}
	seed(b, n);
	/* ARP request for our outside address */
	memset(b, 0, 64);
	b[0] = 1;
	memset(b + 1, 0xff, 6);
	memcpy(b + 7, host_mac.addr_bytes, 6);
	b[13] = 0x08;
	b[14] = 0x06;
	b[16] = 1;
	b[17] = 0x08;
	b[19] = 6;
	b[20] = 4;
	b[22] = 1;
	memcpy(b + 23, host_mac.addr_bytes, 6);
	put_be32(b + 29, 0xc0000201);
	put_be32(b + 39, 0xc0000202);
	seed(b, 1 + 42);
	/* authenticated ESP of every inbound SA */
	for (k = 0; k < NB_IN_SA; k++)
		seed(b, esp_seed(b, k, 1, 40));
	/* on the MACsec port: the ARP request, IKE and an IPv4 fragment
	 * protected by the peer; one of them as the peer sent it */
	for (k = 0; k < nb_seeds && k < NB_SEEDS; k++) {
		const uint8_t *s = seed_buf[k];

		if ((s[0] & 3) != 1 || nb_seeds >= NB_SEEDS - 1)
			continue;
		memcpy(b, s, seed_len[k]);
		b[0] = 4 | 2 | 1;
		seed(b, seed_len[k]);
	}
	{
		struct rte_mbuf *m = rte_pktmbuf_alloc(F.mp);
		struct rte_mbuf *drop[1];
		uint16_t nd = 0;

		n = seed_len[0] - 1;
		if (m == NULL)
			die("seed", ENOMEM);
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), seed_buf[0] + 1, n);
		if (ss_macsec_protect_burst(F.peer_sy, &m, 1, drop, &nd) == 1) {
			b[0] = 4 | 1;
			memcpy(b + 1, rte_pktmbuf_mtod(m, uint8_t *),
				rte_pktmbuf_data_len(m));
			seed(b, 1 + rte_pktmbuf_data_len(m));
			rte_pktmbuf_free(m);
		} else {
			rte_pktmbuf_free(drop[0]);
		}
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int k;

	(void)argc;
	(void)argv;
	setup();
	seeds_make();
	/* the seed corpus, for a first run (tests/fuzz/run_libfuzzer.sh) */
	for (k = 0; k < nb_seeds; k++)
		ss_fuzz_seed_write("seed", k, seed_buf[k][0], seed_buf[k] + 1,
			seed_len[k] - 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t f[FZ_MAX_FRAME];
	struct rte_mbuf *m;
	size_t len;
	uint8_t port;

	setup();
	if (size < 1)
		return 0;
	port = data[0] & 1;
	if (data[0] & 4) {
		len = RTE_MIN(size - 1, sizeof(f));
		memcpy(f, data + 1, len);
		port = 1;
	} else if (data[0] & 2) {
		const struct in_sa *s;
		uint32_t seq;

		if (size < 6)
			return 0;
		s = &in_sa[data[1] % NB_IN_SA];
		seq = (uint32_t)data[2] << 24 | (uint32_t)data[3] << 16 |
			(uint32_t)data[4] << 8 | data[5];
		len = esp_frame(f, sizeof(f), s, seq, data + 6, size - 6);
		port = 1;
	} else {
		len = RTE_MIN(size - 1, sizeof(f));
		memcpy(f, data + 1, len);
	}
	if (len == 0 || len > RTE_MBUF_DEFAULT_DATAROOM)
		return 0;
	m = rte_pktmbuf_alloc(F.mp);
	if (m == NULL)
		abort();	/* every mbuf is back after each input */
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	m->port = port_ids[port];
	F.inputs++;
	if (data[0] & 4) {
		struct rte_mbuf *ctl[1], *drop[1];
		uint16_t nc = 0, nd = 0, k = 1;

		if (data[0] & 2)
			k = ss_macsec_protect_burst(F.peer_sy, &m, 1, drop,
				&nd);
		if (k != 0)
			k = ss_macsec_validate_burst(F.sy, &m, 1, ctl, &nc,
				drop, &nd);
		if (nc != 0)
			rte_pktmbuf_free(ctl[0]);	/* MKA: fuzz_mka */
		if (nd != 0)
			rte_pktmbuf_free(drop[0]);
		if (k != 0)
			frames(&m, 1, port, 0);
	} else {
		frames(&m, 1, port, 0);
	}
	/* time moves on: 1 ms an input; holds and reassembly expire */
	F.now += rte_get_tsc_hz() / 1000;
	if ((F.inputs & 15) == 0) {
		ss_net_reasm_expire(F.reasm, F.now, &F.rst);
		ss_net_ctl_timer(rte_get_timer_cycles() + F.inputs *
			(rte_get_timer_hz() / 1000), &F.nst);
	}
	/* nothing lost: what is not in the pool waits in the reassembly
	 * table (64 datagrams, each a few fragments) or on a neighbour */
	if (rte_mempool_avail_count(F.mp) + 64 * 8 + 64 < FZ_POOL) {
		fprintf(stderr, "fuzz_dp: %u mbufs out after %lu inputs\n",
			FZ_POOL - rte_mempool_avail_count(F.mp),
			(unsigned long)F.inputs);
		abort();
	}
	return 0;
}

#ifdef SS_FUZZ_STANDALONE
int
main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	static uint8_t buf[FZ_MAX_FRAME];
	struct ss_esp_stats es[2];
	unsigned long i;
	unsigned int k, d, drops = 0;
	uint32_t seq = 100;
	long replayed;
	size_t len;

	setup();
	seeds_make();
	/* the seeds themselves: every authenticated ESP one decrypts */
	ss_esp_server_stats(F.esp[0], &es[0]);
	ss_esp_server_stats(F.esp[1], &es[1]);
	for (k = 0; k < nb_seeds; k++)
		LLVMFuzzerTestOneInput(seed_buf[k], seed_len[k]);
	{
		struct ss_esp_stats a[2];

		ss_esp_server_stats(F.esp[0], &a[0]);
		ss_esp_server_stats(F.esp[1], &a[1]);
		if (a[0].in_packets + a[1].in_packets - es[0].in_packets -
				es[1].in_packets != NB_IN_SA) {
			fprintf(stderr, "fuzz_dp: %lu of %u ESP seeds "
				"decrypted\n", (unsigned long)(a[0].in_packets +
				a[1].in_packets - es[0].in_packets -
				es[1].in_packets), NB_IN_SA);
			for (d = 0; d < SS_SA_DROP_MAX; d++)
				if (a[0].drops[d] + a[1].drops[d] != 0)
					fprintf(stderr, "  drop %s: %lu\n",
						ss_sa_drop_name(d),
						(unsigned long)(a[0].drops[d] +
						a[1].drops[d]));
			return 1;
		}
	}
	/* files to replay (a corpus, a crash) instead of mutations */
	replayed = ss_fuzz_replay(argc, argv, LLVMFuzzerTestOneInput);
	if (replayed >= 0) {
		printf("fuzz_dp: %ld inputs replayed\n", replayed);
		iters = 0;
	}
	printf("fuzz_dp: %u seeds, %lu iterations\n", nb_seeds, iters);
	for (i = 0; i < iters; i++) {
		const unsigned int j = ss_fuzz_rnd() % nb_seeds;

		k = ss_fuzz_rnd() % nb_seeds;
		memcpy(buf, seed_buf[k], seed_len[k]);
		len = seed_len[k];
		if (buf[0] & 2) {
			/* authenticated ESP: a fresh sequence number mostly
			 * (else the replay window drops it before the
			 * trailer is read), and the plaintext mutated */
			if (ss_fuzz_rnd() % 8 != 0)
				put_be32(buf + 2, seq++);
			len = 6 + ss_fuzz_mutate(buf + 6, len - 6,
				sizeof(buf) - 6, seed_buf[j] + 1,
				seed_len[j] - 1);
		} else {
			len = 1 + ss_fuzz_mutate(buf + 1, len - 1,
				sizeof(buf) - 1, seed_buf[j] + 1,
				seed_len[j] - 1);
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	ss_esp_server_stats(F.esp[0], &es[0]);
	ss_esp_server_stats(F.esp[1], &es[1]);
	for (d = 0; d < SS_SA_DROP_MAX; d++)
		drops += es[0].drops[d] + es[1].drops[d] != 0;
	printf("fuzz_dp: %lu inputs, %lu frames sent, ESP in %lu, "
		"%u kinds of ESP drop, reassembled %lu\n",
		(unsigned long)F.inputs, (unsigned long)F.sent,
		(unsigned long)(es[0].in_packets + es[1].in_packets), drops,
		(unsigned long)F.rst.done);
	{
		struct ss_macsec_stats ms;

		ss_macsec_stats_get(F.sy, &ms);
		printf("fuzz_dp: MACsec in: ok %lu, bad tag %lu, unknown SCI "
			"%lu, not valid %lu, late %lu, no tag %lu\n",
			(unsigned long)ms.in_pkts_ok,
			(unsigned long)ms.in_pkts_bad_tag,
			(unsigned long)ms.in_pkts_unknown_sci,
			(unsigned long)ms.in_pkts_not_valid,
			(unsigned long)ms.in_pkts_late,
			(unsigned long)ms.in_pkts_no_tag);
	}
	fflush(stdout);
	/* at the end, with the tables emptied, every mbuf is back */
	ss_net_reasm_free(F.reasm, &F.rst);
	ss_net_fini();
	k = rte_mempool_avail_count(F.mp);
	ss_esp_server_free(F.esp[0]);
	ss_esp_server_free(F.esp[1]);
	ss_sa_db_free(F.db);
	ss_esp_crypto_fini();
	ss_spd_destroy(F.spd);
	ss_steer_ctx_free(F.steer);
	ss_macsec_free(F.sy);
	ss_macsec_free(F.peer_sy);
	rte_mempool_free(F.mp);
	rte_eal_cleanup();
	if (k != FZ_POOL) {
		fprintf(stderr, "fuzz_dp: %u mbufs lost\n", FZ_POOL - k);
		return 1;
	}
	printf("fuzz_dp: done, no crash, every mbuf back\n");
	return 0;
}
#endif
