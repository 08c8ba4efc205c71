/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* ESP data plane through the real packet path: known answers, round
 * trips over every algorithm x mode x family x encapsulation, anti-replay
 * at every window position on both crypto back-ends, one counter per
 * malformed input, SA removal under a running reader, and an independent
 * check with scapy (tests/esp/scapy_check.py). */

#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "ss_test.h"
#include "ss_test_esp.h"
#include "ss_sa.h"
#include "ss_esp.h"
#include "ss_crypto.h"
#include "ss_esp_mb.h"
#include "lib/steer/ss_steer.h"

static struct rte_mempool *mp;

/* SPIs for server index 0 (id 1) and 1 (id 2). */
#define SPI0(x) (0x10000000u | (x))
#define SPI1(x) (0x20000000u | (x))

struct combo {
	enum ss_sa_algo algo;
	enum ss_sa_mode mode;
	uint8_t ofam, ifam;
	bool udp, esn;
	enum ss_sa_backend be;
	/* inbound SA on the other implementation (ipsec-mb <-> cpu), so
	 * each side checks the other's wire format */
	bool cross;
};

/* The shared helpers (ss_test_esp.h) under this suite's short names. */
#define mkdb(q) ss_test_esp_db(q)
#define addr(a, fam, host) ss_test_esp_addr(a, fam, host)
#define mk_inner(fam, trs, plen, seed) \
	ss_test_esp_inner(mp, fam, trs, plen, seed)

static void
base_params(struct ss_sa_params *p, const struct combo *c, uint32_t spi,
	enum ss_sa_dir dir, uint16_t server)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->dir = dir;
	p->server = server;
	p->tunnel = 0;
	p->algo = c->algo;
	p->mode = c->mode;
	p->backend = c->be;
	p->inner_family = c->ifam;
	p->udp_encap = c->udp;
	p->esn = c->esn;
	p->key_len = ss_sa_algo_key_len(c->algo);
	for (i = 0; i < p->key_len; i++)
		p->key[i] = (uint8_t)(0x11 * (i + 1) + spi);
	/* Loopback: the outbound SA sends A -> B, the inbound one is B's. */
	if (dir == SS_SA_DIR_OUT) {
		addr(&p->local, c->ofam, 1);
		addr(&p->peer, c->ofam, 2);
	} else {
		addr(&p->local, c->ofam, 2);
		addr(&p->peer, c->ofam, 1);
	}
}

static void
add_pair(struct ss_sa_db *db, const struct combo *c, uint32_t spi,
	uint32_t win, struct ss_sa **o, struct ss_sa **in)
{
	struct ss_sa_params p;

	base_params(&p, c, spi, SS_SA_DIR_OUT, 0);
	ck_assert_msg(ss_sa_add(db, &p, o) == 0, "out: %s",
		ss_sa_db_errstr(db));
	base_params(&p, c, spi, SS_SA_DIR_IN, 0);
	if (c->cross)
		p.backend = c->be == SS_SA_BACKEND_IPSEC_MB ?
			SS_SA_BACKEND_CPU : SS_SA_BACKEND_IPSEC_MB;
	p.replay_window = win;
	ck_assert_msg(ss_sa_add(db, &p, in) == 0, "in: %s",
		ss_sa_db_errstr(db));
}

static struct rte_mbuf *
mbuf_from(const uint8_t *b, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *d;

	ck_assert_ptr_nonnull(m);
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	ck_assert_ptr_nonnull(d);
	memcpy(d, b, len);
	return m;
}

static struct ss_esp_server *srv0, *srv1;

static void
mk_servers(struct ss_sa_db *db)
{
	srv0 = ss_esp_server_create(db, 0, SOCKET_ID_ANY);
	srv1 = ss_esp_server_create(db, 1, SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(srv0);
	ck_assert_ptr_nonnull(srv1);
}

static void
free_all(struct ss_sa_db *db)
{
	ss_esp_server_free(srv0);
	ss_esp_server_free(srv1);
	srv0 = srv1 = NULL;
	ss_sa_db_free(db);
}

/* One packet through outbound; the ESP packet (NULL if dropped). */
static struct rte_mbuf *
enc1(struct rte_mbuf *m)
{
	struct rte_mbuf *out[1];
	uint32_t t = 0;

	if (ss_esp_outbound_burst(srv0, &m, 1, &t, out, NULL) != 1)
		return NULL;
	return out[0];
}

/* ss_esp_inbound_burst, and what its inner packets promise holds: data
 * at L3 (l2_len 0); SS_ESP_PTYPE_IP4_CHECKED only where its L3 form is
 * true, and on the usual IPv4 packet (IHL 5, whole, at least 40 bytes)
 * for sure, or lib/steer would check it again for nothing. */
static uint16_t
inb_checked(struct ss_esp_server *s, struct rte_mbuf **m, uint16_t n,
	struct rte_mbuf **out)
{
	const uint16_t k = ss_esp_inbound_burst(s, m, n, out, NULL);
	uint16_t i;

	RTE_BUILD_BUG_ON(SS_ESP_PTYPE_IP4_CHECKED !=
		SS_STEER_PTYPE_IP4_CHECKED);
	for (i = 0; i < k; i++) {
		const struct rte_mbuf *o = out[i];
		const uint8_t *d = rte_pktmbuf_mtod(o, const uint8_t *);
		const bool usual = o->data_len == o->pkt_len &&
			o->pkt_len >= 40 && d[0] == 0x45 &&
			(d[2] << 8 | d[3]) == (int)o->pkt_len;

		ck_assert_uint_eq(o->l2_len, 0);
		ck_assert_uint_eq(!!(o->packet_type &
			SS_ESP_PTYPE_IP4_CHECKED), usual);
	}
	return k;
}

static struct rte_mbuf *
dec1(struct ss_esp_server *s, struct rte_mbuf *m)
{
	struct rte_mbuf *out[1];

	if (inb_checked(s, &m, 1, out) != 1)
		return NULL;
	return out[0];
}

static uint64_t
drops(const struct ss_esp_server *s, enum ss_sa_drop r)
{
	struct ss_esp_stats st;

	ss_esp_server_stats(s, &st);
	return st.drops[r];
}

static uint64_t
drops_total(const struct ss_esp_server *s)
{
	struct ss_esp_stats st;
	uint64_t t = 0;
	unsigned int i;

	ss_esp_server_stats(s, &st);
	for (i = 0; i < SS_SA_DROP_MAX; i++)
		t += st.drops[i];
	return t;
}

/* ---- known answers ------------------------------------------------ */

/* Expected bytes computed independently with python3-cryptography by
 * tests/esp/gen_kat.py (ESP built by hand from RFC 4303/4106/4868). */
#include "../esp/kat.h"

static void
kat_one(const struct kat *k, enum ss_sa_backend be)
{
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa_params p;
	struct rte_mbuf *m, *e;
	uint8_t buf[2048];
	size_t n;

	mk_servers(db);
	memset(&p, 0, sizeof(p));
	p.spi = k->spi;
	p.dir = SS_SA_DIR_OUT;
	p.algo = k->algo;
	p.mode = k->transport ? SS_SA_MODE_TRANSPORT : SS_SA_MODE_TUNNEL;
	p.key_len = (uint8_t)ss_test_hex(k->key, p.key, sizeof(p.key));
	p.udp_encap = k->udp;
	p.esn = k->esn;
	p.backend = be;
	addr(&p.local, AF_INET, 1);
	addr(&p.peer, AF_INET, 2);
	p.inner_family = AF_INET;
	ck_assert_msg(ss_sa_add(db, &p, NULL) == 0, "%s", ss_sa_db_errstr(db));
	n = ss_test_hex(k->in, buf, sizeof(buf));
	m = mbuf_from(buf, (uint32_t)n);
	e = enc1(m);
	ck_assert_ptr_nonnull(e);
	n = ss_test_hex(k->out, buf, sizeof(buf));
	if (k->algo == SS_SA_ALGO_AES_CBC_128_HMAC_SHA256 ||
			k->algo == SS_SA_ALGO_AES_CBC_256_HMAC_SHA256) {
		/* CBC IVs are unpredictable (RFC 3602): rte_ipsec 22.11
		 * draws them at random, ipsec-mb encrypts a counter under a
		 * per-SA key. Compare the headers and the length here;
		 * scapy decrypts CBC output in test_scapy. */
		size_t hdr = 20 + (k->udp ? 8 : 0) + 8;
		struct rte_mbuf *e2;

		ck_assert_uint_eq(rte_pktmbuf_pkt_len(e), n);
		ck_assert(memcmp(rte_pktmbuf_mtod(e, void *), buf, hdr) == 0);
		n = ss_test_hex(k->in, buf, sizeof(buf));
		e2 = enc1(mbuf_from(buf, (uint32_t)n));
		ck_assert_ptr_nonnull(e2);
		ck_assert_msg(memcmp(rte_pktmbuf_mtod_offset(e, void *, hdr),
			rte_pktmbuf_mtod_offset(e2, void *, hdr), 16) != 0,
			"CBC IV repeated");
		rte_pktmbuf_free(e2);
		rte_pktmbuf_free(e);
		free_all(db);
		return;
	}
	if (rte_pktmbuf_pkt_len(e) != n ||
			memcmp(rte_pktmbuf_mtod(e, void *), buf, n) != 0) {
		const uint8_t *g = rte_pktmbuf_mtod(e, const uint8_t *);
		uint32_t i;

		fprintf(stderr, "KAT %s got:\n", k->name);
		for (i = 0; i < rte_pktmbuf_pkt_len(e); i++)
			fprintf(stderr, "%02x", g[i]);
		fprintf(stderr, "\n");
	}
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(e), n);
	ck_assert_msg(memcmp(rte_pktmbuf_mtod(e, void *), buf, n) == 0,
		"KAT %s: ESP bytes differ", k->name);
	rte_pktmbuf_free(e);
	free_all(db);
}

START_TEST(test_kat)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(kats); i++) {
		kat_one(&kats[i], SS_SA_BACKEND_CPU);
		kat_one(&kats[i], SS_SA_BACKEND_IPSEC_MB);
	}
}
END_TEST

/* ---- round trips ---------------------------------------------------- */

static void
round_trip(const struct combo *c)
{
	static const uint16_t sizes[] = { 0, 1, 13, 14, 15, 16, 100, 1000 };
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa *o, *in;
	unsigned int i;
	bool trs = c->mode == SS_SA_MODE_TRANSPORT;

	mk_servers(db);
	add_pair(db, c, SPI0(0x4242), 64, &o, &in);
	for (i = 0; i < RTE_DIM(sizes); i++) {
		struct rte_mbuf *m = mk_inner(c->ifam, trs, sizes[i],
			(uint8_t)i);
		struct rte_mbuf *ref = rte_pktmbuf_copy(m, mp, 0, UINT32_MAX);
		struct rte_mbuf *e, *d;
		const uint8_t *h;

		e = enc1(m);
		ck_assert_msg(e != NULL, "%s mode %d fam %d/%d udp %d esn %d "
			"be %d: encrypt dropped", ss_sa_algo_name(c->algo),
			c->mode, c->ofam, c->ifam, c->udp, c->esn, c->be);
		h = rte_pktmbuf_mtod(e, const uint8_t *);
		/* Outer header: the right family, ESP or UDP 4500. */
		if (c->ofam == AF_INET) {
			ck_assert_uint_eq(h[0] >> 4, 4);
			ck_assert_uint_eq(h[9], c->udp ? 17 : 50);
			ck_assert_uint_eq(rte_raw_cksum(h, 20), 0xffff);
		} else {
			ck_assert_uint_eq(h[0] >> 4, 6);
			ck_assert_uint_eq(h[6], c->udp ? 17 : 50);
		}
		d = dec1(srv0, e);
		ck_assert_msg(d != NULL, "%s mode %d fam %d/%d udp %d esn %d "
			"be %d size %u: decrypt dropped",
			ss_sa_algo_name(c->algo), c->mode, c->ofam, c->ifam,
			c->udp, c->esn, c->be, sizes[i]);
		ck_assert_uint_eq(rte_pktmbuf_pkt_len(d),
			rte_pktmbuf_pkt_len(ref));
		ck_assert_msg(memcmp(rte_pktmbuf_mtod(d, void *),
			rte_pktmbuf_mtod(ref, void *),
			rte_pktmbuf_pkt_len(ref)) == 0, "round trip differs");
		rte_pktmbuf_free(d);
		rte_pktmbuf_free(ref);
	}
	ck_assert_uint_eq(o->st.packets, RTE_DIM(sizes));
	ck_assert_uint_eq(in->st.packets, RTE_DIM(sizes));
	ck_assert_uint_eq(o->st.seq, RTE_DIM(sizes));
	ck_assert_uint_eq(in->st.replay_top, RTE_DIM(sizes));
	ck_assert_uint_eq(drops_total(srv0), 0);
	free_all(db);
}

START_TEST(test_round_trip_all)
{
	static const uint8_t fams[4][2] = {
		{ AF_INET, AF_INET }, { AF_INET6, AF_INET6 },
		{ AF_INET6, AF_INET }, { AF_INET, AF_INET6 },
	};
	/* every back-end alone, then ipsec-mb against cpu both ways */
	static const struct {
		enum ss_sa_backend be;
		bool cross;
	} bes[] = {
		{ SS_SA_BACKEND_CPU, false },
		{ SS_SA_BACKEND_LOOKASIDE, false },
		{ SS_SA_BACKEND_IPSEC_MB, false },
		{ SS_SA_BACKEND_IPSEC_MB, true },
		{ SS_SA_BACKEND_CPU, true },
	};
	struct combo c;
	unsigned int a, mode, f, udp, esn, be;
	unsigned int n = 0;

	for (a = 0; a < SS_SA_ALGO_MAX; a++)
	for (mode = 0; mode < 2; mode++)
	for (f = 0; f < 4; f++)
	for (udp = 0; udp < 2; udp++)
	for (esn = 0; esn < 2; esn++)
	for (be = 0; be < RTE_DIM(bes); be++) {
		if (mode == SS_SA_MODE_TRANSPORT && fams[f][0] != fams[f][1])
			continue;
		c.algo = (enum ss_sa_algo)a;
		c.mode = (enum ss_sa_mode)mode;
		c.ofam = fams[f][0];
		c.ifam = fams[f][1];
		c.udp = udp;
		c.esn = esn;
		c.be = bes[be].be;
		c.cross = bes[be].cross;
		round_trip(&c);
		n++;
	}
	ck_assert_uint_eq(n, 5 * (4 + 2) * 2 * 2 * RTE_DIM(bes));
}
END_TEST

/* ---- anti-replay ---------------------------------------------------- */

struct pkt {
	uint8_t b[256];
	uint16_t len;
};

/* ESP packets with sequence numbers 1..n from a fresh outbound SA. */
static struct pkt *
make_seq(const struct combo *c, uint32_t spi, unsigned int n)
{
	struct ss_sa_db *db = mkdb(NULL);
	struct pkt *v = calloc(n + 1, sizeof(*v));
	struct ss_sa_params p;
	unsigned int i;

	ck_assert_ptr_nonnull(v);
	mk_servers(db);
	base_params(&p, c, spi, SS_SA_DIR_OUT, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	for (i = 1; i <= n; i++) {
		struct rte_mbuf *e = enc1(mk_inner(c->ifam, false, 20,
			(uint8_t)i));

		ck_assert_ptr_nonnull(e);
		ck_assert_uint_le(rte_pktmbuf_pkt_len(e), sizeof(v[i].b));
		v[i].len = (uint16_t)rte_pktmbuf_pkt_len(e);
		memcpy(v[i].b, rte_pktmbuf_mtod(e, void *), v[i].len);
		rte_pktmbuf_free(e);
	}
	free_all(db);
	return v;
}

static bool
deliver(struct ss_esp_server *s, const struct pkt *p)
{
	struct rte_mbuf *d = dec1(s, mbuf_from(p->b, p->len));

	if (d == NULL)
		return false;
	rte_pktmbuf_free(d);
	return true;
}

/* For every position of the first (top) packet T, every older sequence
 * number is accepted once iff it is inside the window (T-W+1..T), a
 * duplicate is always refused, and a jump ahead moves the window. */
static void
replay_exhaustive(enum ss_sa_backend be, uint32_t w, bool esn)
{
	const struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, esn, be };
	const unsigned int nmax = 2 * w + 2 + w + 2;
	struct pkt *v = make_seq(&c, SPI0(0x777), nmax);
	struct ss_sa_db *db = mkdb(NULL);
	unsigned int t, s;
	uint64_t acc = 0, rej = 0;

	mk_servers(db);
	for (t = 1; t <= 2 * w + 2; t++) {
		struct ss_sa_params p;
		struct ss_sa *in;
		unsigned int ahead, old;

		base_params(&p, &c, SPI0(0x777), SS_SA_DIR_IN, 0);
		p.replay_window = w;
		ck_assert_int_eq(ss_sa_add(db, &p, &in), 0);
		ck_assert(deliver(srv0, &v[t]));
		for (s = t; s >= 1; s--) {
			bool want = s != t && s + w > t;

			ck_assert_msg(deliver(srv0, &v[s]) == want,
				"be %d W %u top %u seq %u: want %s (top %" PRIu64
				" pkts %" PRIu64 " replay drops %" PRIu64 ")",
				be, w, t, s, want ? "accept" : "reject",
				in->st.replay_top, in->st.packets,
				in->st.drops[SS_SA_DROP_REPLAY]);
			want ? acc++ : rej++;
		}
		for (s = t; s >= 1; s--)
			ck_assert_msg(!deliver(srv0, &v[s]),
				"be %d W %u top %u seq %u: duplicate accepted",
				be, w, t, s);
		/* Ahead: top moves to t + w; t + 1 is then the oldest
		 * in-window number, t the newest outside. */
		ahead = t + w;
		ck_assert(deliver(srv0, &v[ahead]));
		ck_assert_msg(!deliver(srv0, &v[t]), "W %u: old top kept", w);
		ck_assert_msg(deliver(srv0, &v[t + 1]),
			"W %u top %u: oldest in-window refused", w, ahead);
		ck_assert_uint_eq(in->st.replay_top, ahead);
		/* With ESN a number left of the window is taken as the next
		 * 2^32 epoch (RFC 4303 A2.2) and fails the ICV instead. */
		old = t > w ? t - w : 0;
		ck_assert_msg(in->st.drops[SS_SA_DROP_REPLAY] ==
			(esn ? 1 + t - old : old + t + 2) &&
			in->st.drops[SS_SA_DROP_AUTH_FAILED] ==
			(esn ? 2 * old + 1 : 0),
			"W %u top %u: %" PRIu64 " replay, %" PRIu64
			" auth drops", w, t, in->st.drops[SS_SA_DROP_REPLAY],
			in->st.drops[SS_SA_DROP_AUTH_FAILED]);
		ck_assert_uint_eq(drops_total(srv0),
			drops(srv0, SS_SA_DROP_REPLAY) +
			drops(srv0, SS_SA_DROP_AUTH_FAILED));
		ck_assert_int_eq(ss_sa_del(db, SPI0(0x777), SS_SA_DIR_IN), 0);
	}
	ck_assert_uint_gt(acc, 0);
	ck_assert_uint_gt(rej, 0);
	free(v);
	free_all(db);
}

START_TEST(test_replay_cpu)
{
	replay_exhaustive(SS_SA_BACKEND_CPU, 64, false);
	replay_exhaustive(SS_SA_BACKEND_CPU, 128, false);
	replay_exhaustive(SS_SA_BACKEND_CPU, 64, true);
}
END_TEST

START_TEST(test_replay_ipsec_mb)
{
	replay_exhaustive(SS_SA_BACKEND_IPSEC_MB, 64, false);
	replay_exhaustive(SS_SA_BACKEND_IPSEC_MB, 1024, false);
	replay_exhaustive(SS_SA_BACKEND_IPSEC_MB, 128, true);
}
END_TEST

START_TEST(test_replay_lookaside)
{
	replay_exhaustive(SS_SA_BACKEND_LOOKASIDE, 64, false);
	replay_exhaustive(SS_SA_BACKEND_LOOKASIDE, 128, false);
	replay_exhaustive(SS_SA_BACKEND_LOOKASIDE, 128, true);
}
END_TEST

/* Duplicates inside one burst: the second copy is refused by the window
 * update in rte_ipsec_pkt_process. */
static void
replay_same_burst(enum ss_sa_backend be)
{
	const struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, be, false };
	struct pkt *v = make_seq(&c, SPI0(0x778), 4);
	struct ss_sa_db *db = mkdb(NULL);
	struct rte_mbuf *m[4], *out[4];
	struct ss_sa_params p;
	uint16_t n, i;

	mk_servers(db);
	base_params(&p, &c, SPI0(0x778), SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	m[0] = mbuf_from(v[1].b, v[1].len);
	m[1] = mbuf_from(v[2].b, v[2].len);
	m[2] = mbuf_from(v[1].b, v[1].len);
	m[3] = mbuf_from(v[3].b, v[3].len);
	n = inb_checked(srv0, m, 4, out);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_REPLAY), 1);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
	free(v);
	free_all(db);
}

START_TEST(test_replay_same_burst)
{
	replay_same_burst(SS_SA_BACKEND_CPU);
	replay_same_burst(SS_SA_BACKEND_IPSEC_MB);
}
END_TEST

/* Packets that fail the ICV among good ones in one burst: the good ones
 * come out in order, and only their sequence numbers enter the window
 * (ipsec-mb takes the failed ones out before the trailer loop). */
static void
auth_fail_in_burst(enum ss_sa_backend be)
{
	const struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, be, false };
	struct pkt *v = make_seq(&c, SPI0(0x779), 6);
	struct ss_sa_db *db = mkdb(NULL);
	struct rte_mbuf *m[5], *out[5];
	struct ss_sa_params p;
	struct ss_sa *in;
	uint16_t n, i;

	mk_servers(db);
	base_params(&p, &c, SPI0(0x779), SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, &in), 0);
	for (i = 0; i < 5; i++)
		m[i] = mbuf_from(v[i + 1].b, v[i + 1].len);
	/* a ciphertext byte of sequence numbers 2 and 4 */
	for (i = 1; i < 5; i += 2)
		rte_pktmbuf_mtod(m[i], uint8_t *)[20 + 8 + 8 + 1] ^= 0x01;
	n = inb_checked(srv0, m, 5, out);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_AUTH_FAILED), 2);
	ck_assert_uint_eq(drops_total(srv0), 2);
	ck_assert_uint_eq(in->st.packets, 3);
	ck_assert_uint_eq(in->st.replay_top, 5);
	/* out in the order of 1, 3, 5 (decrypted in place: the same
	 * mbufs) */
	for (i = 0; i < n; i++) {
		ck_assert_ptr_eq(out[i], m[2 * i]);
		rte_pktmbuf_free(out[i]);
	}
	/* 2 and 4 were not recorded, 1, 3 and 5 were */
	for (i = 1; i <= 5; i++)
		ck_assert_msg(deliver(srv0, &v[i]) == (i % 2 == 0),
			"be %d seq %u", be, i);
	free(v);
	free_all(db);
}

START_TEST(test_auth_fail_in_burst)
{
	auth_fail_in_burst(SS_SA_BACKEND_CPU);
	auth_fail_in_burst(SS_SA_BACKEND_IPSEC_MB);
}
END_TEST

/* End of the sequence space (RFC 4303 3.3.3): without ESN the SA sends
 * 2^32 - 1 and then refuses (counted); with ESN it carries on into the
 * high half, which goes on the wire as low 0 and into the ICV. */
START_TEST(test_seq_overflow)
{
	struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, SS_SA_BACKEND_IPSEC_MB, false };
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa *o, *in;
	struct rte_mbuf *e, *d;
	rte_be32_t sq;

	mk_servers(db);
	add_pair(db, &c, SPI0(0x0f0), 64, &o, &in);
	ck_assert_int_eq(ss_esp_mb_test_set_seq(in, 1), -EINVAL);
	ck_assert_int_eq(ss_esp_mb_test_set_seq(o, UINT32_MAX - 1), 0);
	e = enc1(mk_inner(AF_INET, false, 40, 1));
	ck_assert_ptr_nonnull(e);
	memcpy(&sq, rte_pktmbuf_mtod_offset(e, uint8_t *, 20 + 4), 4);
	ck_assert_uint_eq(rte_be_to_cpu_32(sq), UINT32_MAX);
	d = dec1(srv0, e);
	ck_assert_ptr_nonnull(d);
	rte_pktmbuf_free(d);
	ck_assert_ptr_null(enc1(mk_inner(AF_INET, false, 40, 2)));
	ck_assert_uint_eq(o->st.drops[SS_SA_DROP_SEQ_OVERFLOW], 1);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_SEQ_OVERFLOW), 1);
	ck_assert_uint_eq(o->st.seq, UINT32_MAX);
	free_all(db);

	c.esn = true;
	db = mkdb(NULL);
	mk_servers(db);
	add_pair(db, &c, SPI0(0x0f1), 64, &o, NULL);
	ck_assert_int_eq(ss_esp_mb_test_set_seq(o, UINT32_MAX), 0);
	e = enc1(mk_inner(AF_INET, false, 40, 3));
	ck_assert_ptr_nonnull(e);
	memcpy(&sq, rte_pktmbuf_mtod_offset(e, uint8_t *, 20 + 4), 4);
	ck_assert_uint_eq(rte_be_to_cpu_32(sq), 0);
	ck_assert_uint_eq(o->st.seq, (uint64_t)UINT32_MAX + 1);
	ck_assert_uint_eq(drops_total(srv0), 0);
	rte_pktmbuf_free(e);
	free_all(db);
}
END_TEST

/* Lifetimes (RFC 4301 4.4.2.1) on both back-ends, one packet a burst:
 * the soft limit flags the SA, the hard one stops it; every packet past
 * it is dropped as "expired", on the SA and the server. */
static void
lifetime_one(enum ss_sa_backend be)
{
	struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, be, false };
	struct ss_sa_db *db = mkdb(NULL);
	struct rte_mbuf *e[7], *d;
	struct ss_sa_params p;
	struct ss_sa *o, *in;
	unsigned int i, ok = 0;

	mk_servers(db);
	base_params(&p, &c, SPI0(0x11f), SS_SA_DIR_OUT, 0);
	p.soft_packets = 3;
	p.hard_packets = 5;
	ck_assert_int_eq(ss_sa_add(db, &p, &o), 0);
	base_params(&p, &c, SPI0(0x11f), SS_SA_DIR_IN, 0);
	p.soft_packets = 2;
	p.hard_packets = 4;
	ck_assert_int_eq(ss_sa_add(db, &p, &in), 0);
	for (i = 0; i < 7; i++) {
		e[i] = enc1(mk_inner(AF_INET, false, 40, (uint8_t)i));
		ck_assert(i < 5 ? e[i] != NULL : e[i] == NULL);
		ck_assert_uint_eq(o->st.soft_expired, i >= 2);
		ck_assert_uint_eq(o->st.hard_expired, i >= 4);
	}
	ck_assert_uint_eq(o->st.packets, 5);
	ck_assert_uint_eq(o->st.drops[SS_SA_DROP_EXPIRED], 2);
	for (i = 0; i < 5; i++) {
		d = dec1(srv0, e[i]);
		ok += d != NULL;
		ck_assert(i < 4 ? d != NULL : d == NULL);
		rte_pktmbuf_free(d);
		ck_assert_uint_eq(in->st.soft_expired, i >= 1);
	}
	ck_assert_uint_eq(ok, 4);
	ck_assert_uint_eq(in->st.hard_expired, 1);
	ck_assert_uint_eq(in->st.drops[SS_SA_DROP_EXPIRED], 1);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_EXPIRED), 3);
	ck_assert_uint_eq(drops_total(srv0), 3);
	free_all(db);
}

/* The hard limits within bursts: packets (40 of two bursts of 32 go
 * out; 37 of them are delivered) and bytes (a packet is taken while the
 * bytes before it are below the limit: 11 of 32). Not one packet past a
 * limit, though the counters move once per burst. */
static void
lifetime_burst(enum ss_sa_backend be, bool bytes)
{
	struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, be, false };
	/* inner packets of 100 bytes: IPv4 20, UDP 8, payload 72 */
	const uint16_t len = 100;
	const uint16_t want_out = bytes ? 11 : 40, want_in = bytes ? 7 : 37;
	struct ss_sa_db *db = mkdb(NULL);
	struct rte_mbuf *m[32], *e[64], *d[32];
	struct ss_sa_params p;
	struct ss_sa *o, *in;
	uint32_t tun[32] = { 0 };
	uint16_t i, b, k, ne = 0, nd = 0;

	mk_servers(db);
	for (b = 0; b < 2; b++) {
		/* out: 10 packets' bytes and one, or 40 packets; in: 6
		 * packets' bytes and one, or 37 packets */
		base_params(&p, &c, SPI0(0x12f), b == 0 ? SS_SA_DIR_OUT :
			SS_SA_DIR_IN, 0);
		if (bytes)
			p.hard_bytes = (b == 0 ? 10u : 6u) * len + 1;
		else
			p.hard_packets = b == 0 ? 40 : 37;
		ck_assert_int_eq(ss_sa_add(db, &p, b == 0 ? &o : &in), 0);
	}
	for (b = 0; b < 2; b++) {
		for (i = 0; i < 32; i++)
			m[i] = mk_inner(AF_INET, false, len - 28,
				(uint8_t)(b * 32 + i));
		k = ss_esp_outbound_burst(srv0, m, 32, tun, e + ne, NULL);
		ne += k;
	}
	ck_assert_uint_eq(ne, want_out);
	ck_assert_uint_eq(o->st.packets, want_out);
	ck_assert_uint_eq(o->st.seq, want_out);
	ck_assert_uint_eq(o->st.hard_expired, 1);
	ck_assert_uint_eq(o->st.drops[SS_SA_DROP_EXPIRED], 64 - want_out);
	for (i = 0; i < ne; i += k) {
		const uint16_t c32 = RTE_MIN(32, ne - i);
		uint16_t j;

		k = c32;
		j = inb_checked(srv0, e + i, c32, d);
		nd += j;
		rte_pktmbuf_free_bulk(d, j);
	}
	ck_assert_uint_eq(nd, want_in);
	ck_assert_uint_eq(in->st.packets, want_in);
	ck_assert_uint_eq(in->st.hard_expired, 1);
	ck_assert_uint_eq(in->st.drops[SS_SA_DROP_EXPIRED], want_out - want_in);
	ck_assert_uint_eq(drops_total(srv0), 64 - want_in);
	free_all(db);
}

START_TEST(test_lifetime)
{
	lifetime_one(SS_SA_BACKEND_IPSEC_MB);
	lifetime_one(SS_SA_BACKEND_CPU);
	lifetime_burst(SS_SA_BACKEND_IPSEC_MB, false);
	lifetime_burst(SS_SA_BACKEND_IPSEC_MB, true);
	lifetime_burst(SS_SA_BACKEND_CPU, false);
	lifetime_burst(SS_SA_BACKEND_CPU, true);
}
END_TEST

/* CBC IVs made for a whole burst with AES-NI are those one library call
 * per packet makes (the same counters in, the same blocks out), they
 * differ from each other, and the peer decrypts every packet; at the end
 * of the sequence space the IV counter stops with the packets. */
static void
cbc_ivs(struct ss_sa *o, bool lib, uint64_t sqn, uint16_t n,
	uint8_t (*iv)[16], struct rte_mbuf **e)
{
	struct rte_mbuf *m[48];
	uint32_t tun[48];
	uint16_t i, k;

	ck_assert_uint_le(n, RTE_DIM(m));
	ck_assert_int_eq(ss_esp_mb_test_set_seq(o, sqn), 0);
	ck_assert_int_eq(ss_esp_mb_test_cbc_iv(o, lib, 0x1234567890ull), 0);
	for (i = 0; i < n; i++) {
		m[i] = mk_inner(AF_INET, false, (uint16_t)(20 + i * 7),
			(uint8_t)i);
		tun[i] = 0;
	}
	k = ss_esp_outbound_burst(srv0, m, n, tun, e, NULL);
	for (i = 0; i < k; i++)
		/* outer IPv4 20, SPI 4, sequence number 4, then the IV */
		memcpy(iv[i], rte_pktmbuf_mtod_offset(e[i], uint8_t *, 28),
			16);
	ck_assert_int_eq(ss_esp_mb_test_cbc_iv(o, false, 0), 0);
	ck_assert_uint_eq(k, sqn == UINT32_MAX - 5 ? 5 : n);
}

START_TEST(test_cbc_iv_burst)
{
	struct combo c = { SS_SA_ALGO_AES_CBC_128_HMAC_SHA256,
		SS_SA_MODE_TUNNEL, AF_INET, AF_INET, false, false,
		SS_SA_BACKEND_IPSEC_MB, false };
	uint8_t a[48][16], b[48][16];
	struct rte_mbuf *ea[48], *eb[48], *d;
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa *o;
	unsigned int i, j, pass;

	mk_servers(db);
	add_pair(db, &c, SPI0(0x0c5), 4096, &o, NULL);
	for (pass = 0; pass < 2; pass++) {
		/* 40 packets: one burst of 32 and one of 8; then 10 at
		 * the end of the space, of which 5 go */
		const uint64_t sq = pass == 0 ? 100 : UINT32_MAX - 5;
		const uint16_t n = pass == 0 ? 40 : 10;
		const uint16_t k = pass == 0 ? 40 : 5;

		cbc_ivs(o, true, sq, n, a, ea);
		cbc_ivs(o, false, sq, n, b, eb);
		for (i = 0; i < k; i++) {
			ck_assert_mem_eq(a[i], b[i], 16);
			for (j = 0; j < i; j++)
				ck_assert_mem_ne(a[i], a[j], 16);
			/* not the counters in clear */
			ck_assert_mem_ne(a[i] + 8, &(uint64_t){ sq + 1 + i },
				8);
			rte_pktmbuf_free(ea[i]);
			d = dec1(srv0, eb[i]);
			ck_assert_ptr_nonnull(d);
			rte_pktmbuf_free(d);
		}
	}
	ck_assert_uint_eq(drops_total(srv0) - drops(srv0,
		SS_SA_DROP_SEQ_OVERFLOW), 0);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_SEQ_OVERFLOW), 10);
	free_all(db);
}
END_TEST

/* ---- fast paths at their edges ------------------------------------- */

/* The data of m moved so that it has exactly 'head' bytes of headroom,
 * or (head < 0) exactly -head bytes of tailroom. */
static void
place(struct rte_mbuf *m, int head)
{
	const uint16_t len = rte_pktmbuf_data_len(m);
	uint16_t off = head >= 0 ? (uint16_t)head :
		(uint16_t)(m->buf_len - len + head);
	uint8_t tmp[2048];

	ck_assert_uint_le(len, sizeof(tmp));
	memcpy(tmp, rte_pktmbuf_mtod(m, void *), len);
	m->data_off = off;
	memcpy(rte_pktmbuf_mtod(m, void *), tmp, len);
}

/* m (freed) encrypted and decrypted: true when both went through and
 * the inner packet came back as 'want' (len bytes). */
static bool
round_one(struct rte_mbuf *m, const uint8_t *want, uint32_t len)
{
	struct rte_mbuf *e = enc1(m), *d;
	bool ok;

	if (e == NULL)
		return false;
	d = dec1(srv0, e);
	if (d == NULL)
		return false;
	ok = rte_pktmbuf_pkt_len(d) == len && rte_pktmbuf_is_contiguous(d) &&
		memcmp(rte_pktmbuf_mtod(d, void *), want, len) == 0;
	rte_pktmbuf_free(d);
	return ok;
}

/* Outbound: the one-test fast path of outb_chunk must let through
 * exactly what the field-by-field checks let through, at the headroom,
 * tailroom and MTU limits, and leave the rest to them (segments, IPv4
 * options, link-layer padding, several SAs in one chunk). */
static void
fast_out(const struct combo *c)
{
	const bool trs = c->mode == SS_SA_MODE_TRANSPORT;
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_esp_aside tb = { .hold = false };
	struct rte_mbuf *m, *e, *out[4];
	uint8_t ref[2048];
	uint32_t len, t = 0, need, mtu;
	uint64_t nr;

	mk_servers(db);
	add_pair(db, c, SPI0(0x300), 64, NULL, NULL);
	/* head: outer IP (tunnel), UDP, ESP header, IV */
	need = 8 + 8 + (c->algo == SS_SA_ALGO_AES_GCM_128 ? 8 : 16) +
		(trs ? 0 : c->ofam == AF_INET ? 20 : 40);

	m = mk_inner(c->ifam, trs, 100, 1);
	len = rte_pktmbuf_pkt_len(m);
	memcpy(ref, rte_pktmbuf_mtod(m, void *), len);
	place(m, (int)need);
	ck_assert_msg(round_one(m, ref, len), "headroom %u refused", need);
	m = mk_inner(c->ifam, trs, 100, 1);
	place(m, -64);
	ck_assert_msg(round_one(m, ref, len), "tailroom 64 refused");
	nr = drops(srv0, SS_SA_DROP_NO_ROOM);
	m = mk_inner(c->ifam, trs, 100, 1);
	place(m, (int)need - 1);
	ck_assert_ptr_null(enc1(m));
	m = mk_inner(c->ifam, trs, 100, 1);
	place(m, -63);
	ck_assert_ptr_null(enc1(m));
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_NO_ROOM), nr + 2);

	/* two segments: linearized, then the same packet */
	e = mk_inner(c->ifam, trs, 100, 1);
	m = ss_test_mbuf_split(rte_pktmbuf_mtod(e, uint8_t *), (uint16_t)len,
		37);
	rte_pktmbuf_free(e);
	ck_assert_uint_eq(m->nb_segs, 2);
	ck_assert_msg(round_one(m, ref, len), "two segments");

	/* link-layer padding behind the IP datagram: trimmed */
	m = mk_inner(c->ifam, trs, 100, 1);
	memset(rte_pktmbuf_append(m, 6), 0xee, 6);
	ck_assert_msg(round_one(m, ref, len), "padding not trimmed");

	/* IPv4 options (IHL 6): the field-by-field path */
	if (c->ifam == AF_INET) {
		struct rte_ipv4_hdr *h;
		uint8_t *d;

		m = mk_inner(AF_INET, trs, 100, 1);
		d = (uint8_t *)rte_pktmbuf_prepend(m, 4);
		ck_assert_ptr_nonnull(d);
		memmove(d, d + 4, 20);
		memset(d + 20, 1, 4);	/* four NOPs */
		h = (struct rte_ipv4_hdr *)d;
		h->version_ihl = 0x46;
		h->total_length = rte_cpu_to_be_16((uint16_t)(len + 4));
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		memcpy(ref, d, len + 4);
		ck_assert_msg(round_one(m, ref, len + 4), "IPv4 options");
	}

	/* MTU: the largest cleartext the slow path reports fits, one byte
	 * more does not, whichever path judges it */
	m = mk_inner(c->ifam, trs, 1500, 1);
	ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &m, 1, &t, out, &tb),
		0);
	ck_assert_uint_eq(tb.n, 1);
	mtu = tb.mtu[0];
	rte_pktmbuf_free(tb.m[0]);
	ck_assert_uint_gt(mtu, 1400);
	m = mk_inner(c->ifam, trs, (uint16_t)(mtu - len + 100), 2);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), mtu);
	memcpy(ref, rte_pktmbuf_mtod(m, void *), mtu);
	ck_assert_msg(round_one(m, ref, mtu), "%u bytes refused", mtu);
	m = mk_inner(c->ifam, trs, (uint16_t)(mtu - len + 101), 2);
	ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &m, 1, &t, out, &tb),
		0);
	ck_assert_uint_eq(tb.n, 1);
	ck_assert_uint_eq(tb.mtu[0], mtu);
	rte_pktmbuf_free(tb.m[0]);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_TOO_BIG), 2);
	ck_assert_uint_eq(drops_total(srv0), nr + 4);
	free_all(db);
}

/* Several SAs in one chunk, the first packet without any: grouped, each
 * group in its order. */
static void
fast_out_mixed(void)
{
	const struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, SS_SA_BACKEND_IPSEC_MB, false };
	struct ss_sa_tunnel_params tp = { .name = "t1" };
	struct ss_sa_db *db = mkdb(NULL);
	struct rte_mbuf *m[5], *out[5], *d;
	const uint32_t tun[5] = { 7, 0, 1, 0, 1 };
	struct ss_sa_params p;
	struct ss_sa *o0, *o1;
	uint16_t n, i;
	uint32_t spi;

	mk_servers(db);
	ck_assert_int_eq(ss_sa_tunnel_add(db, &tp, NULL), 0);
	add_pair(db, &c, SPI0(0x310), 64, &o0, NULL);
	base_params(&p, &c, SPI0(0x311), SS_SA_DIR_OUT, 0);
	p.tunnel = 1;
	ck_assert_int_eq(ss_sa_add(db, &p, &o1), 0);
	base_params(&p, &c, SPI0(0x311), SS_SA_DIR_IN, 0);
	p.tunnel = 1;
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	for (i = 0; i < 5; i++)
		m[i] = mk_inner(AF_INET, false, 30, (uint8_t)i);
	n = ss_esp_outbound_burst(srv0, m, 5, tun, out, NULL);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_NO_SA), 1);
	ck_assert_uint_eq(o0->st.packets, 2);
	ck_assert_uint_eq(o1->st.packets, 2);
	for (i = 0; i < n; i++) {
		memcpy(&spi, rte_pktmbuf_mtod_offset(out[i], void *, 20), 4);
		ck_assert_uint_eq(rte_be_to_cpu_32(spi), i < 2 ? SPI0(0x310) :
			SPI0(0x311));
		d = dec1(srv0, out[i]);
		ck_assert_ptr_nonnull(d);
		/* payload seed: packets 1, 3 then 2, 4 */
		ck_assert_uint_eq(rte_pktmbuf_mtod(d, uint8_t *)[28],
			(uint8_t)(i < 2 ? 1 + 2 * i : 2 + 2 * (i - 2)));
		rte_pktmbuf_free(d);
	}
	free_all(db);
}

static void
hmac128(const uint8_t *key, const uint8_t *data, uint32_t len, uint8_t *icv);

/* Inbound, ESP built by hand on a NULL-HMAC SA (tunnel, IPv4): outer
 * IPv4 from peer to local, SPI, sequence number, the inner packet, pad
 * bytes (corrupted at 'bad' when not negative), pad length, next
 * header, ICV over all that. Returns the length written to b. */
static uint32_t
null_esp(uint8_t *b, const uint8_t *key, uint32_t spi, uint32_t seq,
	const uint8_t *inner, uint32_t ilen, unsigned int pad, int bad)
{
	struct rte_ipv4_hdr *h = (void *)b;
	struct ss_ipaddr a;
	uint32_t l = 20, i;
	rte_be32_t v;

	memset(h, 0, sizeof(*h));
	h->version_ihl = 0x45;
	h->time_to_live = 64;
	h->next_proto_id = IPPROTO_ESP;
	addr(&a, AF_INET, 1);
	h->src_addr = a.v4;
	addr(&a, AF_INET, 2);
	h->dst_addr = a.v4;
	v = rte_cpu_to_be_32(spi);
	memcpy(b + l, &v, 4);
	v = rte_cpu_to_be_32(seq);
	memcpy(b + l + 4, &v, 4);
	l += 8;
	memcpy(b + l, inner, ilen);
	l += ilen;
	for (i = 0; i < pad; i++)
		b[l + i] = (uint8_t)(i + 1);
	if (bad >= 0)
		b[l + bad] ^= 0x80;
	l += pad;
	b[l++] = (uint8_t)pad;
	b[l++] = IPPROTO_IPIP;
	hmac128(key, b + 20, l - 20, b + l);
	l += 16;
	h->total_length = rte_cpu_to_be_16((uint16_t)l);
	h->hdr_checksum = rte_ipv4_cksum(h);
	return l;
}

/* Inbound: pad lengths 0..20 right and with each pad byte wrong (the
 * word-wise check up to 16, the loop above), a pad length beyond the
 * payload, the tailroom limit, two segments, link-layer padding and
 * IPv4 options on the outer header, and two SAs interleaved in one
 * chunk (each group records its own sequence numbers). */
START_TEST(test_fast_path_in)
{
	const struct combo cn = { SS_SA_ALGO_NULL_HMAC_SHA256,
		SS_SA_MODE_TUNNEL, AF_INET, AF_INET, false, false,
		SS_SA_BACKEND_IPSEC_MB, false };
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa *in, *ia, *ib;
	struct rte_mbuf *m, *d, *v[4], *out[4];
	uint8_t key[32], klen, b[512], inner[128];
	uint32_t seq = 1, len, ilen;
	uint64_t bp = 0;
	unsigned int pad, j;
	int bad;

	mk_servers(db);
	add_pair(db, &cn, SPI0(0x400), 4096, NULL, &in);
	memcpy(key, ss_sa_key(in, &klen), 32);
	for (pad = 0; pad <= 20; pad++) {
		/* payload + pad + 2 a multiple of 4 (NULL pads to 4) */
		ilen = 28 + 40 + ((4 - (pad + 2) % 4) % 4);
		m = mk_inner(AF_INET, false, (uint16_t)(ilen - 28), 5);
		memcpy(inner, rte_pktmbuf_mtod(m, void *), ilen);
		rte_pktmbuf_free(m);
		for (bad = -1; bad < (int)pad; bad++) {
			len = null_esp(b, key, SPI0(0x400), seq++, inner, ilen,
				pad, bad);
			d = dec1(srv0, mbuf_from(b, len));
			if (bad < 0) {
				ck_assert_msg(d != NULL, "pad %u refused", pad);
				ck_assert_uint_eq(rte_pktmbuf_pkt_len(d), ilen);
				ck_assert(memcmp(rte_pktmbuf_mtod(d, void *),
					inner, ilen) == 0);
				rte_pktmbuf_free(d);
			} else {
				ck_assert_msg(d == NULL,
					"pad %u, byte %d wrong: accepted", pad,
					bad);
				bp++;
			}
			ck_assert_uint_eq(drops(srv0, SS_SA_DROP_BAD_PADDING),
				bp);
		}
	}
	/* pad length beyond the payload */
	ilen = 28 + 42;
	m = mk_inner(AF_INET, false, 42, 5);
	memcpy(inner, rte_pktmbuf_mtod(m, void *), ilen);
	rte_pktmbuf_free(m);
	len = null_esp(b, key, SPI0(0x400), seq++, inner, ilen, 0, -1);
	b[len - 18] = 75;
	hmac128(key, b + 20, len - 36, b + len - 16);
	ck_assert_ptr_null(dec1(srv0, mbuf_from(b, len)));
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_BAD_PADDING), ++bp);

	ilen = 28 + 42;
	/* tailroom 32 passes, 31 does not */
	len = null_esp(b, key, SPI0(0x400), seq++, inner, ilen, 0, -1);
	m = mbuf_from(b, len);
	place(m, -32);
	d = dec1(srv0, m);
	ck_assert_ptr_nonnull(d);
	rte_pktmbuf_free(d);
	len = null_esp(b, key, SPI0(0x400), seq++, inner, ilen, 0, -1);
	m = mbuf_from(b, len);
	place(m, -31);
	ck_assert_ptr_null(dec1(srv0, m));
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_NO_ROOM), 1);
	/* two segments */
	len = null_esp(b, key, SPI0(0x400), seq++, inner, ilen, 0, -1);
	m = ss_test_mbuf_split(b, (uint16_t)len, 30);
	d = dec1(srv0, m);
	ck_assert_ptr_nonnull(d);
	ck_assert(memcmp(rte_pktmbuf_mtod(d, void *), inner, ilen) == 0);
	rte_pktmbuf_free(d);
	/* link-layer padding behind the outer datagram */
	len = null_esp(b, key, SPI0(0x400), seq++, inner, ilen, 0, -1);
	memset(b + len, 0xee, 6);
	d = dec1(srv0, mbuf_from(b, len + 6));
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(d), ilen);
	rte_pktmbuf_free(d);
	/* outer IPv4 options (IHL 6) */
	len = null_esp(b, key, SPI0(0x400), seq++, inner, ilen, 0, -1);
	memmove(b + 24, b + 20, len - 20);
	memset(b + 20, 1, 4);
	{
		struct rte_ipv4_hdr *h = (void *)b;

		h->version_ihl = 0x46;
		h->total_length = rte_cpu_to_be_16((uint16_t)(len + 4));
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
	d = dec1(srv0, mbuf_from(b, len + 4));
	ck_assert_ptr_nonnull(d);
	ck_assert(memcmp(rte_pktmbuf_mtod(d, void *), inner, ilen) == 0);
	rte_pktmbuf_free(d);
	ck_assert_uint_eq(drops_total(srv0), bp + 1);
	ck_assert_uint_eq(in->st.replay_top, seq - 1);
	/* a wrong ICV amid a burst (the job manager's path): only that
	 * packet goes, as AUTH_FAILED */
	for (j = 0; j < 3; j++) {
		len = null_esp(b, key, SPI0(0x400), seq++, inner, ilen, 0, -1);
		if (j == 1)
			b[len - 1] ^= 1;
		v[j] = mbuf_from(b, len);
	}
	ck_assert_uint_eq(inb_checked(srv0, v, 3, out), 2);
	for (j = 0; j < 2; j++) {
		ck_assert(memcmp(rte_pktmbuf_mtod(out[j], void *), inner,
			ilen) == 0);
		rte_pktmbuf_free(out[j]);
	}
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_AUTH_FAILED), 1);
	ck_assert_uint_eq(drops_total(srv0), bp + 2);

	/* two SAs, one chunk: A 1, B 4, A 2, B 5 */
	{
		const struct combo cg = { SS_SA_ALGO_AES_GCM_128,
			SS_SA_MODE_TUNNEL, AF_INET, AF_INET, false, true,
			SS_SA_BACKEND_IPSEC_MB, false };
		struct rte_mbuf *ea[2], *eb[5];
		struct ss_sa_db *db2;
		struct ss_sa_params p;
		uint32_t t = 0;

		/* the ESP from a second database's outbound SAs */
		free_all(db);
		db = mkdb(NULL);
		mk_servers(db);
		base_params(&p, &cg, SPI0(0x410), SS_SA_DIR_IN, 0);
		ck_assert_int_eq(ss_sa_add(db, &p, &ia), 0);
		base_params(&p, &cn, SPI0(0x411), SS_SA_DIR_IN, 0);
		ck_assert_int_eq(ss_sa_add(db, &p, &ib), 0);
		db2 = mkdb(NULL);
		{
			struct ss_esp_server *s2 = ss_esp_server_create(db2,
				0, SOCKET_ID_ANY);

			ck_assert_ptr_nonnull(s2);
			base_params(&p, &cg, SPI0(0x410), SS_SA_DIR_OUT, 0);
			ck_assert_int_eq(ss_sa_add(db2, &p, NULL), 0);
			for (j = 0; j < 2; j++) {
				m = mk_inner(AF_INET, false, 30, (uint8_t)j);
				ck_assert_uint_eq(ss_esp_outbound_burst(s2,
					&m, 1, &t, &ea[j], NULL), 1);
			}
			base_params(&p, &cn, SPI0(0x411), SS_SA_DIR_OUT, 0);
			ck_assert_int_eq(ss_sa_add(db2, &p, NULL), 0);
			for (j = 0; j < 5; j++) {
				m = mk_inner(AF_INET, false, 30,
					(uint8_t)(10 + j));
				ck_assert_uint_eq(ss_esp_outbound_burst(s2,
					&m, 1, &t, &eb[j], NULL), 1);
			}
			ss_esp_server_free(s2);
			ss_sa_db_free(db2);
		}
		for (j = 0; j < 3; j++) {
			d = dec1(srv0, eb[j]);
			ck_assert_ptr_nonnull(d);
			rte_pktmbuf_free(d);
		}
		v[0] = ea[0];
		v[1] = eb[3];
		v[2] = ea[1];
		v[3] = eb[4];
		ck_assert_uint_eq(inb_checked(srv0, v, 4, out), 4);
		for (j = 0; j < 4; j++) {
			/* grouped: A's two, then B's two */
			ck_assert_uint_eq(rte_pktmbuf_mtod(out[j],
				uint8_t *)[28], j < 2 ? j : 10 + 3 + j - 2);
			rte_pktmbuf_free(out[j]);
		}
		ck_assert_uint_eq(ia->st.replay_top, 2);
		ck_assert_uint_eq(ib->st.replay_top, 5);
		ck_assert_uint_eq(drops_total(srv0), 0);
	}
	free_all(db);
}
END_TEST

/* ESP in UDP (NAT-T) in tunnel mode, on both back-ends: the fast path
 * takes the usual packet, and what it leaves to the slow one is counted
 * under the same reasons as before. */
START_TEST(test_fast_path_natt)
{
	static const enum ss_sa_backend bes[] = { SS_SA_BACKEND_IPSEC_MB,
		SS_SA_BACKEND_CPU };
	unsigned int bi, j;

	for (bi = 0; bi < RTE_DIM(bes); bi++) {
		const struct combo cu = { SS_SA_ALGO_AES_GCM_128,
			SS_SA_MODE_TUNNEL, AF_INET, AF_INET, true, false,
			bes[bi], false };
		const struct combo cp = { SS_SA_ALGO_AES_GCM_128,
			SS_SA_MODE_TUNNEL, AF_INET, AF_INET, false, false,
			bes[bi], false };
		struct ss_sa_db *db = mkdb(NULL);
		struct ss_sa_params p;
		struct ss_sa *in, *inp;
		struct rte_mbuf *e[7], *out[7];
		uint8_t b[512], *d;
		uint16_t n, len;

		mk_servers(db);
		add_pair(db, &cu, SPI0(0x500), 64, NULL, &in);
		base_params(&p, &cp, SPI0(0x501), SS_SA_DIR_IN, 0);
		ck_assert_int_eq(ss_sa_add(db, &p, &inp), 0);
		for (j = 0; j < RTE_DIM(e); j++) {
			e[j] = enc1(mk_inner(AF_INET, false, 40, (uint8_t)j));
			ck_assert_ptr_nonnull(e[j]);
			d = rte_pktmbuf_mtod(e[j], uint8_t *);
			ck_assert_uint_eq(d[9], IPPROTO_UDP);
			ck_assert_uint_eq(d[22] << 8 | d[23], 4500);
		}
		/* 0, 1: as sent; 2: to another port */
		d = rte_pktmbuf_mtod(e[2], uint8_t *);
		d[23] ^= 1;
		/* 3: a zero first word (IKE's marker) */
		d = rte_pktmbuf_mtod(e[3], uint8_t *);
		memset(d + 28, 0, 4);
		/* 4: plain ESP to the UDP SA */
		d = rte_pktmbuf_mtod(e[4], uint8_t *);
		len = rte_pktmbuf_data_len(e[4]);
		memmove(d + 20, d + 28, len - 28);
		rte_pktmbuf_trim(e[4], 8);
		d[9] = IPPROTO_ESP;
		d[2] = (uint8_t)((len - 8) >> 8);
		d[3] = (uint8_t)(len - 8);
		/* 5: ESP in UDP to the SA without encapsulation */
		d = rte_pktmbuf_mtod(e[5], uint8_t *);
		d[28 + 2] = (uint8_t)(SPI0(0x501) >> 8);
		d[28 + 3] = (uint8_t)SPI0(0x501);
		d[28] = (uint8_t)(SPI0(0x501) >> 24);
		d[28 + 1] = (uint8_t)(SPI0(0x501) >> 16);
		/* 6: in two segments */
		len = rte_pktmbuf_data_len(e[6]);
		memcpy(b, rte_pktmbuf_mtod(e[6], void *), len);
		rte_pktmbuf_free(e[6]);
		e[6] = ss_test_mbuf_split(b, len, 30);
		n = inb_checked(srv0, e, RTE_DIM(e), out);
		ck_assert_uint_eq(n, 3);
		for (j = 0; j < n; j++) {
			d = rte_pktmbuf_mtod(out[j], uint8_t *);
			ck_assert_uint_eq(rte_pktmbuf_pkt_len(out[j]), 68);
			ck_assert_uint_eq(d[0], 0x45);
			/* mk_inner's payload: seed, seed + 1, ... */
			ck_assert_uint_eq(d[28], j < 2 ? j : 6);
			rte_pktmbuf_free(out[j]);
		}
		ck_assert_uint_eq(drops(srv0, SS_SA_DROP_BAD_ENCAP), 3);
		ck_assert_uint_eq(drops(srv0, SS_SA_DROP_NOT_ESP), 1);
		ck_assert_uint_eq(drops_total(srv0), 4);
		ck_assert_uint_eq(in->st.packets, 3);
		ck_assert_uint_eq(in->st.replay_top, 7);
		ck_assert_uint_eq(inp->st.packets, 0);
		free_all(db);
	}
}
END_TEST

START_TEST(test_fast_path_out)
{
	static const uint8_t fams[3][2] = {
		{ AF_INET, AF_INET }, { AF_INET6, AF_INET6 },
		{ AF_INET, AF_INET6 },
	};
	struct combo c = { 0 };
	unsigned int a, mode, f, udp;

	c.be = SS_SA_BACKEND_IPSEC_MB;
	for (a = 0; a < 2; a++)
	for (mode = 0; mode < 2; mode++)
	for (f = 0; f < 3; f++)
	for (udp = 0; udp < 2; udp++) {
		if (mode == SS_SA_MODE_TRANSPORT && fams[f][0] != fams[f][1])
			continue;
		c.algo = a == 0 ? SS_SA_ALGO_AES_GCM_128 :
			SS_SA_ALGO_AES_CBC_128_HMAC_SHA256;
		c.mode = (enum ss_sa_mode)mode;
		c.ofam = fams[f][0];
		c.ifam = fams[f][1];
		c.udp = udp;
		c.esn = udp;
		fast_out(&c);
	}
	fast_out_mixed();
}
END_TEST

/* ---- one counter per bad input -------------------------------------- */

/* HMAC-SHA-256-128 through the crypto device (for forging a valid ICV
 * over a deliberately wrong trailer). */
static void
hmac128(const uint8_t *key, const uint8_t *data, uint32_t len, uint8_t *icv)
{
	struct rte_crypto_sym_xform x = {
		.type = RTE_CRYPTO_SYM_XFORM_AUTH,
		.auth = {
			.op = RTE_CRYPTO_AUTH_OP_GENERATE,
			.algo = RTE_CRYPTO_AUTH_SHA256_HMAC,
			.key = { .data = key, .length = 32 },
			.digest_length = 16,
		},
	};
	uint8_t buf[512];
	struct rte_crypto_vec vec = { .base = buf, .len = len };
	struct rte_crypto_sgl sgl = { .vec = &vec, .num = 1 };
	struct rte_crypto_va_iova_ptr dg = { .va = icv }, iv = { 0 };
	int32_t st = 0;
	struct rte_crypto_sym_vec sv = { .num = 1, .src_sgl = &sgl,
		.iv = &iv, .digest = &dg, .status = &st };
	union rte_crypto_sym_ofs ofs = { .raw = 0 };
	void *s;

	memcpy(buf, data, len);
	s = rte_cryptodev_sym_session_create((uint8_t)ss_crypto_dev_mb(), &x,
		ss_crypto_sess_pool());
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(rte_cryptodev_sym_cpu_crypto_process(
		(uint8_t)ss_crypto_dev_mb(), s, ofs, &sv), 1);
	ck_assert_int_eq(st, 0);
	rte_cryptodev_sym_session_free((uint8_t)ss_crypto_dev_mb(), s);
}

static void
bad_inputs(enum ss_sa_backend be)
{
	const struct combo cg = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, be, false };
	const struct combo cn = { SS_SA_ALGO_NULL_HMAC_SHA256,
		SS_SA_MODE_TUNNEL, AF_INET, AF_INET, false, false,
		be, false };
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa *og, *ig, *on, *in;
	struct ss_sa_params p;
	struct rte_mbuf *m[16], *out[16];
	struct rte_mbuf *e;
	uint8_t b[512];
	uint16_t len, n, i;
	unsigned int k = 0, good = 0;
	uint8_t key[64];
	uint8_t klen;

	mk_servers(db);
	add_pair(db, &cg, SPI0(0x100), 64, &og, &ig);
	/* NULL-HMAC pair on tunnel 1 with a selector for 10.1.0.0/16. */
	{
		struct ss_sa_tunnel_params tp = { .name = "t1" };

		ck_assert_int_eq(ss_sa_tunnel_add(db, &tp, NULL), 0);
	}
	base_params(&p, &cn, SPI0(0x200), SS_SA_DIR_OUT, 0);
	p.tunnel = 1;
	ck_assert_int_eq(ss_sa_add(db, &p, &on), 0);
	base_params(&p, &cn, SPI0(0x200), SS_SA_DIR_IN, 0);
	p.tunnel = 1;
	p.nb_ts = 1;
	ck_assert_int_eq(ss_prefix_parse("10.9.0.0/16", &p.ts[0].src), 0);
	p.ts[0].sport_hi = p.ts[0].dport_hi = 65535;
	ck_assert_int_eq(ss_sa_add(db, &p, &in), 0);
	memcpy(key, ss_sa_key(in, &klen), 32);

#define GOOD() do { \
		m[k] = enc1(mk_inner(AF_INET, false, 40, (uint8_t)k)); \
		k++; \
		good++; \
	} while (0)
	GOOD();
	/* wrong ICV */
	e = enc1(mk_inner(AF_INET, false, 40, 1));
	len = (uint16_t)rte_pktmbuf_pkt_len(e);
	rte_pktmbuf_mtod(e, uint8_t *)[len - 1] ^= 1;
	m[k++] = e;
	GOOD();
	/* truncated: ESP header and 4 bytes */
	e = enc1(mk_inner(AF_INET, false, 40, 2));
	rte_pktmbuf_trim(e, (uint16_t)(rte_pktmbuf_pkt_len(e) - 32));
	((struct rte_ipv4_hdr *)rte_pktmbuf_mtod(e, void *))->total_length =
		rte_cpu_to_be_16(32);
	m[k++] = e;
	/* unknown SPI (right server id, no SA) */
	e = enc1(mk_inner(AF_INET, false, 40, 3));
	*rte_pktmbuf_mtod_offset(e, uint32_t *, 20) =
		rte_cpu_to_be_32(SPI0(0x999));
	m[k++] = e;
	/* another server's SPI */
	e = enc1(mk_inner(AF_INET, false, 40, 4));
	*rte_pktmbuf_mtod_offset(e, uint32_t *, 20) =
		rte_cpu_to_be_32(SPI1(0x100));
	m[k++] = e;
	GOOD();
	n = inb_checked(srv0, m, (uint16_t)k, out);
	ck_assert_uint_eq(n, good);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(rte_pktmbuf_pkt_len(out[i]), 20 + 8 + 40);
		rte_pktmbuf_free(out[i]);
	}
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_AUTH_FAILED), 1);
	ck_assert_uint_eq(ig->st.drops[SS_SA_DROP_AUTH_FAILED], 1);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_TRUNCATED), 1);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_UNKNOWN_SPI), 1);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_WRONG_SERVER), 1);
	ck_assert_uint_eq(drops_total(srv0), 4);
	ck_assert_uint_eq(ig->st.packets, good);

	/* NULL-HMAC: bad padding with a valid ICV, and selectors. */
	k = 0;
	good = 0;
	{
		uint32_t t1 = 1;
		struct rte_mbuf *x = mk_inner(AF_INET, false, 41, 9), *y;
		uint8_t *d;
		uint32_t l, esp_len;

		/* inner source 10.1.0.1 is outside 10.9.0.0/16 */
		ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &x, 1, &t1, &y,
			NULL), 1);
		m[k++] = y;
		x = mk_inner(AF_INET, false, 41, 10);
		rte_pktmbuf_mtod(x, struct rte_ipv4_hdr *)->src_addr =
			rte_cpu_to_be_32(0x0a090005);
		ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &x, 1, &t1, &y,
			NULL), 1);
		/* forge: a pad byte changed, ICV recomputed */
		l = rte_pktmbuf_pkt_len(y);
		d = rte_pktmbuf_mtod(y, uint8_t *);
		memcpy(b, d, l);
		esp_len = l - 20;
		ck_assert_uint_gt(b[l - 16 - 2], 0);	/* pad length */
		b[l - 16 - 2 - 1] ^= 0x40;
		hmac128(key, b + 20, esp_len - 16, b + l - 16);
		rte_pktmbuf_free(y);
		m[k++] = mbuf_from(b, l);
		/* the same packet with the right padding passes */
		x = mk_inner(AF_INET, false, 41, 11);
		rte_pktmbuf_mtod(x, struct rte_ipv4_hdr *)->src_addr =
			rte_cpu_to_be_32(0x0a090005);
		ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &x, 1, &t1, &y,
			NULL), 1);
		m[k++] = y;
		good++;
	}
	n = inb_checked(srv0, m, (uint16_t)k, out);
	ck_assert_uint_eq(n, good);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
	ck_assert_uint_eq(in->st.drops[SS_SA_DROP_SELECTOR_MISMATCH], 1);
	ck_assert_uint_eq(in->st.drops[SS_SA_DROP_BAD_PADDING], 1);
	ck_assert_uint_eq(in->st.packets, 1);
	ck_assert_uint_eq(drops_total(srv0), 6);

	/* The same selector limited to UDP destination ports 1999..2000,
	 * then 2001..2001, written into the flattened copy as ts4_make
	 * would: the ports decide (mk_inner: 1000 -> 2000). */
	{
		struct ss_esp_sa *esa = in->dp;
		uint32_t t1 = 1;
		unsigned int pass;

		for (pass = 0; pass < 2; pass++) {
			struct rte_mbuf *x, *y;

			esa->ts4[0].dport_lo = pass == 0 ? 1999 : 2001;
			esa->ts4[0].dport_span = pass == 0 ? 1 : 0;
			esa->ts4_ports = true;
			x = mk_inner(AF_INET, false, 41, 12);
			rte_pktmbuf_mtod(x, struct rte_ipv4_hdr *)->src_addr =
				rte_cpu_to_be_32(0x0a090005);
			ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &x, 1,
				&t1, &y, NULL), 1);
			n = inb_checked(srv0, &y, 1, out);
			ck_assert_uint_eq(n, pass == 0 ? 1 : 0);
			if (n == 1)
				rte_pktmbuf_free(out[0]);
		}
		ck_assert_uint_eq(in->st.packets, 2);
		ck_assert_uint_eq(
			in->st.drops[SS_SA_DROP_SELECTOR_MISMATCH], 2);
		ck_assert_uint_eq(drops_total(srv0), 7);
		esa->ts4[0].dport_lo = 0;
		esa->ts4[0].dport_span = UINT16_MAX;
		esa->ts4_ports = false;
		/* Any port, protocol TCP then UDP (the group's one-selector
		 * compare): the protocol decides. */
		for (pass = 0; pass < 2; pass++) {
			struct rte_mbuf *x, *y;

			esa->ts4[0].proto = pass == 0 ? IPPROTO_TCP :
				IPPROTO_UDP;
			esa->ts4[0].pmask = 0xff;
			x = mk_inner(AF_INET, false, 41, 13);
			rte_pktmbuf_mtod(x, struct rte_ipv4_hdr *)->src_addr =
				rte_cpu_to_be_32(0x0a090005);
			ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &x, 1,
				&t1, &y, NULL), 1);
			n = inb_checked(srv0, &y, 1, out);
			ck_assert_uint_eq(n, pass == 0 ? 0 : 1);
			if (n == 1)
				rte_pktmbuf_free(out[0]);
		}
		ck_assert_uint_eq(in->st.packets, 3);
		ck_assert_uint_eq(
			in->st.drops[SS_SA_DROP_SELECTOR_MISMATCH], 3);
		ck_assert_uint_eq(drops_total(srv0), 8);
		esa->ts4[0].proto = 0;
		esa->ts4[0].pmask = 0;
		/* And a destination: 10.2.0.0/16 then 10.3.0.0/16 (the
		 * one-selector compare takes both addresses in one word,
		 * the destination in its second half). */
		for (pass = 0; pass < 2; pass++) {
			struct rte_mbuf *x, *y;

			esa->ts4[0].dst = pass == 0 ? 0x0a020000 : 0x0a030000;
			esa->ts4[0].dmask = 0xffff0000;
			x = mk_inner(AF_INET, false, 41, 14);
			rte_pktmbuf_mtod(x, struct rte_ipv4_hdr *)->src_addr =
				rte_cpu_to_be_32(0x0a090005);
			ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &x, 1,
				&t1, &y, NULL), 1);
			n = inb_checked(srv0, &y, 1, out);
			ck_assert_uint_eq(n, pass == 0 ? 1 : 0);
			if (n == 1)
				rte_pktmbuf_free(out[0]);
		}
		ck_assert_uint_eq(in->st.packets, 4);
		ck_assert_uint_eq(
			in->st.drops[SS_SA_DROP_SELECTOR_MISMATCH], 4);
		ck_assert_uint_eq(drops_total(srv0), 9);
		esa->ts4[0].dst = 0;
		esa->ts4[0].dmask = 0;
		/* No IPv4 selector in the flattened copy (as for an SA
		 * with IPv6 selectors only), ts4[0] left as it is: an IPv4
		 * packet that it would pass is refused all the same (the
		 * group's compare must not pass on an unused ts4[0]). */
		{
			struct rte_mbuf *x, *y;

			esa->nb_ts4 = 0;
			x = mk_inner(AF_INET, false, 41, 15);
			rte_pktmbuf_mtod(x, struct rte_ipv4_hdr *)->src_addr =
				rte_cpu_to_be_32(0x0a090005);
			ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &x, 1,
				&t1, &y, NULL), 1);
			n = inb_checked(srv0, &y, 1, out);
			ck_assert_uint_eq(n, 0);
			esa->nb_ts4 = 1;
		}
		ck_assert_uint_eq(in->st.packets, 4);
		ck_assert_uint_eq(
			in->st.drops[SS_SA_DROP_SELECTOR_MISMATCH], 5);
		ck_assert_uint_eq(drops_total(srv0), 10);
	}

	/* outbound: no SA for a tunnel, wrong inner family, too big */
	{
		struct ss_esp_aside tb = { .hold = false };
		uint32_t tun[3] = { 5, 0, 0 };

		m[0] = mk_inner(AF_INET, false, 10, 0);
		m[1] = mk_inner(AF_INET6, false, 10, 0);
		m[2] = mk_inner(AF_INET, false, 1500, 0);
		n = ss_esp_outbound_burst(srv0, m, 3, tun, out, &tb);
		ck_assert_uint_eq(n, 0);
		ck_assert_uint_eq(drops(srv0, SS_SA_DROP_NO_SA), 1);
		ck_assert_uint_eq(drops(srv0, SS_SA_DROP_BAD_INNER), 1);
		ck_assert_uint_eq(drops(srv0, SS_SA_DROP_TOO_BIG), 1);
		ck_assert_uint_eq(tb.n, 1);
		/* 1500 - 20 outer - 8 ESP - 8 IV - 16 ICV = 1448 (a
		 * multiple of 4), minus the 2-byte trailer. */
		ck_assert_uint_eq(tb.mtu[0], 1446);
		rte_pktmbuf_free(tb.m[0]);
	}
	/* the same with hold on: the no-SA packets come back, in order,
	 * with their tunnel, and are not counted as no_sa */
	{
		struct ss_esp_aside tb = { .hold = true };
		uint32_t tun[3] = { 5, 0, 6 };

		m[0] = mk_inner(AF_INET, false, 10, 0);
		m[1] = mk_inner(AF_INET, false, 12, 0);
		m[2] = mk_inner(AF_INET, false, 14, 0);
		n = ss_esp_outbound_burst(srv0, m, 3, tun, out, &tb);
		ck_assert_uint_eq(n, 1);
		ck_assert_uint_eq(drops(srv0, SS_SA_DROP_NO_SA), 1);
		ck_assert_uint_eq(tb.n, 0);
		ck_assert_uint_eq(tb.nh, 2);
		ck_assert_ptr_eq(tb.hm[0], m[0]);
		ck_assert_uint_eq(tb.htun[0], 5);
		ck_assert_ptr_eq(tb.hm[1], m[2]);
		ck_assert_uint_eq(tb.htun[1], 6);
		rte_pktmbuf_free(tb.hm[0]);
		rte_pktmbuf_free(tb.hm[1]);
		rte_pktmbuf_free(out[0]);
	}
	/* no bad packet disturbed the SAs: a fresh good one still passes */
	e = enc1(mk_inner(AF_INET, false, 40, 77));
	ck_assert_ptr_nonnull(e);
	e = dec1(srv0, e);
	ck_assert_ptr_nonnull(e);
	rte_pktmbuf_free(e);
	free_all(db);
}

START_TEST(test_bad_inputs)
{
	bad_inputs(SS_SA_BACKEND_CPU);
	bad_inputs(SS_SA_BACKEND_IPSEC_MB);
}
END_TEST

START_TEST(test_backend_slots)
{
	const struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, SS_SA_BACKEND_INLINE };
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa_params p;

	base_params(&p, &c, SPI0(0x300), SS_SA_DIR_OUT, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(ss_sa_db_errstr(db),
		"'inline' (rte_security inline IPsec on the NIC) needs its "
		"driver (drivers/inline)"));
	p.backend = SS_SA_BACKEND_SWNIC;
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(ss_sa_db_errstr(db), "'swnic'"));
	ss_sa_db_free(db);
}
END_TEST

/* ---- paused SAs (key on its way to a NIC) ---------------------------- */

/* An SA paused as a NIC back-end pauses it: its packets come back to a
 * caller that holds them (outbound by tunnel, inbound by SPI, unchanged)
 * or are dropped as "paused"; an inbound SPI the caller still holds
 * packets of is diverted even once resumed; resumed, the same packets
 * go through. */
START_TEST(test_paused)
{
	const struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, SS_SA_BACKEND_IPSEC_MB, false };
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_esp_aside tb = { .hold = true };
	struct rte_mbuf *m[2], *e[2], *out[2];
	struct ss_esp_sa *eo, *ei;
	struct ss_sa *o, *in;
	uint32_t tun[2] = { 0, 0 };
	const uint32_t spi = SPI0(0x600);

	mk_servers(db);
	add_pair(db, &c, spi, 64, &o, &in);
	eo = o->dp;
	ei = in->dp;
	ck_assert(!ss_esp_sa_paused(o));
	ck_assert_uint_eq(ss_esp_sa_resume(o, eo->be_priv), 0);
	/* two ESP packets made before the inbound SA pauses */
	m[0] = mk_inner(AF_INET, false, 30, 1);
	m[1] = mk_inner(AF_INET, false, 31, 2);
	ck_assert_uint_eq(ss_esp_outbound_burst(srv0, m, 2, tun, e, NULL), 2);

	eo->pause_tsc = rte_get_timer_cycles();
	__atomic_store_n(&eo->paused, 1, __ATOMIC_RELEASE);
	ck_assert(ss_esp_sa_paused(o));
	m[0] = mk_inner(AF_INET, false, 32, 3);
	m[1] = mk_inner(AF_INET, false, 33, 4);
	ck_assert_uint_eq(ss_esp_outbound_burst(srv0, m, 2, tun, out, &tb), 0);
	ck_assert_uint_eq(tb.nh, 2);
	ck_assert_ptr_eq(tb.hm[0], m[0]);
	ck_assert_ptr_eq(tb.hm[1], m[1]);
	ck_assert_uint_eq(tb.htun[1], 0);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_PAUSED), 0);
	ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &m[1], 1, tun, out,
		NULL), 0);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_PAUSED), 1);
	ck_assert_uint_eq(o->st.drops[SS_SA_DROP_PAUSED], 1);
	ck_assert_uint_gt(ss_esp_sa_resume(o, eo->be_priv), 0);
	ck_assert(!ss_esp_sa_paused(o));
	ck_assert_uint_eq(ss_esp_outbound_burst(srv0, &m[0], 1, tun, out,
		&tb), 1);
	ck_assert_uint_eq(tb.nh, 0);
	rte_pktmbuf_free(out[0]);

	ei->pause_tsc = rte_get_timer_cycles();
	__atomic_store_n(&ei->paused, 1, __ATOMIC_RELEASE);
	tb.nd = 0;
	ck_assert_uint_eq(ss_esp_inbound_burst(srv0, e, 1, out, &tb), 0);
	ck_assert_uint_eq(tb.nh, 1);
	ck_assert_ptr_eq(tb.hm[0], e[0]);
	ck_assert_uint_eq(tb.htun[0], spi);
	ck_assert_uint_eq(in->st.packets, 0);
	ck_assert_uint_gt(ss_esp_sa_resume(in, ei->be_priv), 0);
	/* resumed, but e[0] is still held: e[1] queues behind it */
	tb.nd = 1;
	tb.divert[0] = spi;
	ck_assert_uint_eq(ss_esp_inbound_burst(srv0, &e[1], 1, out, &tb), 0);
	ck_assert_uint_eq(tb.nh, 1);
	ck_assert_ptr_eq(tb.hm[0], e[1]);
	/* released in order: both decrypt, nothing counted as a drop */
	tb.nd = 0;
	ck_assert_uint_eq(ss_esp_inbound_burst(srv0, e, 2, out, &tb), 2);
	ck_assert_uint_eq(tb.nh, 0);
	ck_assert_uint_eq(in->st.packets, 2);
	ck_assert_uint_eq(in->st.drops[SS_SA_DROP_PAUSED], 0);
	ck_assert_uint_eq(in->st.drops[SS_SA_DROP_REPLAY], 0);
	rte_pktmbuf_free(out[0]);
	rte_pktmbuf_free(out[1]);
	/* paused without a holder: dropped and counted */
	m[0] = mk_inner(AF_INET, false, 34, 5);
	ck_assert_uint_eq(ss_esp_outbound_burst(srv0, m, 1, tun, e, NULL), 1);
	__atomic_store_n(&ei->paused, 1, __ATOMIC_RELEASE);
	ck_assert_uint_eq(ss_esp_inbound_burst(srv0, e, 1, out, NULL), 0);
	ck_assert_uint_eq(in->st.drops[SS_SA_DROP_PAUSED], 1);
	ss_esp_sa_resume(in, ei->be_priv);
	free_all(db);
}
END_TEST

/* ESP for an SPI that we reserved but whose SA is not added yet (the
 * peer answered a CREATE_CHILD_SA and sends on the new SA before we have
 * installed it): handed back to a caller that holds, dropped as
 * unknown_spi otherwise; once the SA is added the packet decrypts. */
START_TEST(test_pending_spi)
{
	const struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, SS_SA_BACKEND_IPSEC_MB, false };
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_esp_aside tb = { .hold = true };
	struct rte_mbuf *m[2], *e[2], *out[2];
	struct ss_sa_params p;
	uint32_t tun[2] = { 0, 0 }, spi;

	mk_servers(db);
	ck_assert_int_eq(ss_sa_spi_alloc(db, 0, &spi), 0);
	ck_assert(ss_sa_spi_pending(db, spi));
	ck_assert(!ss_sa_spi_pending(db, spi ^ 1));
	base_params(&p, &c, spi, SS_SA_DIR_OUT, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	m[0] = mk_inner(AF_INET, false, 40, 1);
	m[1] = mk_inner(AF_INET, false, 41, 2);
	ck_assert_uint_eq(ss_esp_outbound_burst(srv0, m, 2, tun, e, NULL), 2);
	/* held for the caller, not counted */
	tb.nd = 0;
	ck_assert_uint_eq(ss_esp_inbound_burst(srv0, e, 1, out, &tb), 0);
	ck_assert_uint_eq(tb.nh, 1);
	ck_assert_ptr_eq(tb.hm[0], e[0]);
	ck_assert_uint_eq(tb.htun[0], spi);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_UNKNOWN_SPI), 0);
	/* no holder: unknown_spi, as before */
	ck_assert_uint_eq(ss_esp_inbound_burst(srv0, &e[1], 1, out, NULL), 0);
	ck_assert_uint_eq(drops(srv0, SS_SA_DROP_UNKNOWN_SPI), 1);
	/* the SA arrives (the SPI stops being pending): the held one goes */
	base_params(&p, &c, spi, SS_SA_DIR_IN, 0);
	ck_assert_int_eq(ss_sa_add(db, &p, NULL), 0);
	ck_assert(!ss_sa_spi_pending(db, spi));
	ck_assert_uint_eq(ss_esp_inbound_burst(srv0, e, 1, out, &tb), 1);
	ck_assert_uint_eq(tb.nh, 0);
	rte_pktmbuf_free(out[0]);
	/* a released SPI is no longer pending */
	ck_assert_int_eq(ss_sa_spi_alloc(db, 0, &spi), 0);
	ck_assert(ss_sa_spi_pending(db, spi));
	ss_sa_spi_release(db, spi);
	ck_assert(!ss_sa_spi_pending(db, spi));
	free_all(db);
}
END_TEST

/* ---- SA removal under a running worker ------------------------------ */

struct reader {
	struct rte_rcu_qsbr *q;
	struct ss_sa_db *db;
	struct ss_esp_server *srv;
	volatile bool stop;
	uint64_t out, in, loops;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	uint32_t tun[8] = { 0 };
	struct rte_mbuf *m[8], *e[8], *d[8];
	unsigned int i;
	uint16_t n, k;

	rte_rcu_qsbr_thread_register(r->q, 0);
	rte_rcu_qsbr_thread_online(r->q, 0);
	while (!r->stop) {
		for (i = 0; i < 8; i++)
			m[i] = mk_inner(AF_INET, false, 64, (uint8_t)i);
		n = ss_esp_outbound_burst(r->srv, m, 8, tun, e, NULL);
		k = ss_esp_inbound_burst(r->srv, e, n, d, NULL);
		for (i = 0; i < k; i++)
			rte_pktmbuf_free(d[i]);
		r->out += n;
		r->in += k;
		r->loops++;
		rte_rcu_qsbr_quiescent(r->q, 0);
	}
	rte_rcu_qsbr_thread_offline(r->q, 0);
	rte_rcu_qsbr_thread_unregister(r->q, 0);
	return NULL;
}

/* The SPIs alternate, so an inbound SPI comes back on a new SA two
 * rounds after its old SA left: the per-server SPI cache must never hand
 * out the old pointer (ASan would see it used after its free). */
static void
delete_in_flight(enum ss_sa_backend be)
{
	const struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, false, be, false };
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *q = rte_zmalloc("q", sz, RTE_CACHE_LINE_SIZE);
	struct reader r = { 0 };
	struct ss_sa_db *db;
	pthread_t th;
	unsigned int round;
	uint64_t start;

	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(rte_rcu_qsbr_init(q, 1), 0);
	db = mkdb(q);
	mk_servers(db);
	r.q = q;
	r.db = db;
	r.srv = srv0;
	add_pair(db, &c, SPI0(0x500), 64, NULL, NULL);
	ck_assert_int_eq(pthread_create(&th, NULL, reader_main, &r), 0);
	start = rte_get_timer_cycles();
	for (round = 0; round < 200; round++) {
		uint32_t spi = SPI0(0x500 + round % 2);
		uint32_t nspi = SPI0(0x500 + (round + 1) % 2);

		/* rekey: new pair, then the old one goes while the reader
		 * may still hold it */
		add_pair(db, &c, nspi, 64, NULL, NULL);
		ck_assert_int_eq(ss_sa_del(db, spi, SS_SA_DIR_OUT), 0);
		ck_assert_int_eq(ss_sa_del(db, spi, SS_SA_DIR_IN), 0);
		ss_sa_db_reclaim(db);
		usleep(200);
	}
	while (r.loops < 100 &&
			rte_get_timer_cycles() - start < 10 * rte_get_timer_hz())
		usleep(1000);
	r.stop = true;
	pthread_join(th, NULL);
	ck_assert_uint_gt(r.loops, 0);
	ck_assert_uint_gt(r.in, 0);
	ss_sa_db_reclaim(db);
	free_all(db);
	rte_free(q);
}

START_TEST(test_delete_in_flight)
{
	delete_in_flight(SS_SA_BACKEND_CPU);
	delete_in_flight(SS_SA_BACKEND_IPSEC_MB);
}
END_TEST

/* ---- scapy, as an independent implementation ------------------------ */

static int
run_scapy(const char *args)
{
	char cmd[2048];
	const char *root = getenv("SS_SOURCE_ROOT");

	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/esp/scapy_check.py %s",
		root ? root : ".", args);
	return system(cmd);
}

static void
hexdump_file(FILE *f, const uint8_t *b, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
}

/* (a) shardsec encrypts, scapy decrypts and compares with the input;
 * (b) scapy encrypts, shardsec decrypts and the test compares. */
static void
scapy_combo(const struct combo *c, const char *dir)
{
	struct ss_sa_db *db = mkdb(NULL);
	struct ss_sa *o, *in;
	char path[512], args[1024], kh[200];
	const uint8_t *key;
	uint8_t klen;
	FILE *f;
	unsigned int i;
	bool trs = c->mode == SS_SA_MODE_TRANSPORT;

	mk_servers(db);
	add_pair(db, c, SPI0(0x5ca), 64, &o, &in);
	key = ss_sa_key(o, &klen);
	for (i = 0; i < klen; i++)
		sprintf(kh + 2 * i, "%02x", key[i]);
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 4; i++) {
		struct rte_mbuf *m = mk_inner(c->ifam, trs, (uint16_t)(i * 37),
			(uint8_t)i);
		struct rte_mbuf *e;

		hexdump_file(f, rte_pktmbuf_mtod(m, uint8_t *),
			rte_pktmbuf_pkt_len(m));
		e = enc1(m);
		ck_assert_ptr_nonnull(e);
		hexdump_file(f, rte_pktmbuf_mtod(e, uint8_t *),
			rte_pktmbuf_pkt_len(e));
		rte_pktmbuf_free(e);
	}
	fclose(f);
	snprintf(args, sizeof(args), "--algo %s --key %s --spi %u --mode %s "
		"--outer %d --udp %d --esn %d --check %s --make %s/b.txt",
		ss_sa_algo_name(c->algo), kh, SPI0(0x5ca),
		trs ? "transport" : "tunnel", c->ofam == AF_INET ? 4 : 6,
		c->udp, c->esn, path, dir);
	ck_assert_msg(run_scapy(args) == 0, "scapy disagrees: %s", args);
	snprintf(path, sizeof(path), "%s/b.txt", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 4; i++) {
		char line[4096];
		uint8_t plain[2048], esp[2048];
		size_t pl, el;
		struct rte_mbuf *d;

		ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
		pl = ss_test_hex(line, plain, sizeof(plain));
		ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
		el = ss_test_hex(line, esp, sizeof(esp));
		d = dec1(srv0, mbuf_from(esp, (uint32_t)el));
		ck_assert_msg(d != NULL, "scapy's ESP refused (%s)", args);
		ck_assert_uint_eq(rte_pktmbuf_pkt_len(d), pl);
		ck_assert_msg(memcmp(rte_pktmbuf_mtod(d, void *), plain,
			pl) == 0, "scapy's ESP decrypts differently (%s)",
			args);
		rte_pktmbuf_free(d);
	}
	fclose(f);
	free_all(db);
}

START_TEST(test_scapy)
{
	char dir[] = "/tmp/ss_esp_scapyXXXXXX";
	struct combo c;
	unsigned int a, mode, f, udp, be;
	char cmd[600];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (a = 0; a < SS_SA_ALGO_MAX; a++)
	for (mode = 0; mode < 2; mode++)
	for (f = 0; f < 2; f++)
	for (udp = 0; udp < 2; udp++)
	for (be = 0; be < 2; be++) {
		c.algo = (enum ss_sa_algo)a;
		c.mode = (enum ss_sa_mode)mode;
		c.ofam = c.ifam = f ? AF_INET6 : AF_INET;
		c.udp = udp;
		c.esn = false;
		c.be = be ? SS_SA_BACKEND_IPSEC_MB : SS_SA_BACKEND_CPU;
		c.cross = false;
		scapy_combo(&c, dir);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- cost ------------------------------------------------------------ */

static void
cost(enum ss_sa_backend be)
{
	const struct combo c = { SS_SA_ALGO_AES_GCM_128, SS_SA_MODE_TUNNEL,
		AF_INET, AF_INET, false, true, be, false };
	static const uint16_t sizes[] = { 64, 512, 1420 };
	struct ss_sa_db *db = mkdb(NULL);
	unsigned int s, it, i;
	const unsigned int iters = 300;

	mk_servers(db);
	add_pair(db, &c, SPI0(0xc05), 1024, NULL, NULL);
	for (s = 0; s < RTE_DIM(sizes); s++) {
		uint64_t to = 0, ti = 0, t0, x;
		/* the best burst: what lib/esp costs when nothing else
		 * interferes (the means take the misses of fresh mbufs
		 * and the machine's noise) */
		uint64_t bo = UINT64_MAX, bi = UINT64_MAX;
		uint32_t tun[32] = { 0 };
		struct rte_mbuf *m[32], *e[32], *d[32];
		uint16_t n, k;

		for (it = 0; it < iters; it++) {
			for (i = 0; i < 32; i++)
				m[i] = mk_inner(AF_INET, false,
					(uint16_t)(sizes[s] - 28), 1);
			t0 = rte_rdtsc_precise();
			n = ss_esp_outbound_burst(srv0, m, 32, tun, e, NULL);
			x = rte_rdtsc_precise() - t0;
			to += x;
			bo = RTE_MIN(bo, x);
			t0 = rte_rdtsc_precise();
			k = ss_esp_inbound_burst(srv0, e, n, d, NULL);
			x = rte_rdtsc_precise() - t0;
			ti += x;
			bi = RTE_MIN(bi, x);
			ck_assert_uint_eq(k, 32);
			for (i = 0; i < k; i++)
				rte_pktmbuf_free(d[i]);
		}
		printf("esp cost: %-9s GCM-128 tunnel %4u B: outbound %.0f "
			"cycles/packet (best burst %.0f), inbound %.0f "
			"(best burst %.0f)\n",
			ss_sa_backend_name(be), sizes[s],
			(double)to / (iters * 32), (double)bo / 32,
			(double)ti / (iters * 32), (double)bi / 32);
	}
	free_all(db);
}

START_TEST(test_cost)
{
	cost(SS_SA_BACKEND_CPU);
	cost(SS_SA_BACKEND_IPSEC_MB);
}
END_TEST

static Suite *
esp_suite(void)
{
	Suite *s = suite_create("esp");
	TCase *tc = tcase_create("esp");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_kat);
	tcase_add_test(tc, test_round_trip_all);
	tcase_add_test(tc, test_replay_same_burst);
	tcase_add_test(tc, test_auth_fail_in_burst);
	tcase_add_test(tc, test_seq_overflow);
	tcase_add_test(tc, test_cbc_iv_burst);
	tcase_add_test(tc, test_lifetime);
	tcase_add_test(tc, test_bad_inputs);
	tcase_add_test(tc, test_fast_path_out);
	tcase_add_test(tc, test_fast_path_in);
	tcase_add_test(tc, test_fast_path_natt);
	tcase_add_test(tc, test_backend_slots);
	tcase_add_test(tc, test_replay_cpu);
	tcase_add_test(tc, test_replay_lookaside);
	tcase_add_test(tc, test_replay_ipsec_mb);
	tcase_add_test(tc, test_delete_in_flight);
	tcase_add_test(tc, test_paused);
	tcase_add_test(tc, test_pending_spi);
	tcase_add_test(tc, test_scapy);
	tcase_add_test(tc, test_cost);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	ss_test_eal_init(NULL);
	mp = ss_test_pool(8191);
	if (ss_esp_crypto_init(SOCKET_ID_ANY, 2) != 0) {
		fprintf(stderr, "crypto init failed\n");
		return 1;
	}
	sr = srunner_create(esp_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ss_esp_crypto_fini();
	return failed == 0 ? 0 : 1;
}
