/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Packet builder: one stream spec -> stamped Ethernet frames, with every
 * length and checksum (IPv4 header, UDP/TCP pseudo-header, SCTP CRC32c)
 * filled in, ids spread over flows and sizes cycled. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_sctp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "ss_gen.h"
#include "ss_gen_priv.h"
#include "ss_steer.h"

RTE_LOG_REGISTER(ss_gen_logtype, shardsec.gen, INFO);

#define GTPU_HDR_LEN 8
#define SCTP_DATA_HDR_LEN 16
#define INNER_HDR_LEN (20 + 8)		/* GTP-U T-PDU: IPv4 + UDP */
#define FCS_LEN 4

/* 7:4:1 of 64/570/1518, interleaved so that any 12 in a row hold it. */
static const uint16_t imix[SS_GEN_IMIX_CYCLE] = {
	64, 570, 64, 64, 570, 64, 1518, 64, 570, 64, 64, 570,
};

struct ss_gen_stream {
	struct ss_gen_spec sp;
	uint64_t built;
	uint16_t l3_hl;			/* 20 or 40 */
	uint16_t l4_hl;			/* everything after IP before data */
	uint16_t min_size;		/* frame incl. FCS */
	uint32_t seq[SS_GEN_MAX_FLOWS];
};

struct sctp_data_chunk {
	uint8_t type;
	uint8_t flags;
	rte_be16_t length;
	rte_be32_t tsn;
	rte_be16_t stream_id;
	rte_be16_t ssn;
	rte_be32_t ppid;
} __rte_packed;

const char *
ss_gen_proto_name(enum ss_gen_proto p)
{
	static const char *const names[SS_GEN_PROTO_MAX] = {
		"udp", "tcp", "gtpu", "sctp", "esp",
	};

	return (unsigned int)p < SS_GEN_PROTO_MAX ? names[p] : "?";
}

static uint16_t
l4_hdr_len(enum ss_gen_proto p)
{
	switch (p) {
	case SS_GEN_TCP:
		return sizeof(struct rte_tcp_hdr);
	case SS_GEN_GTPU:
		return sizeof(struct rte_udp_hdr) + GTPU_HDR_LEN +
			INNER_HDR_LEN;
	case SS_GEN_SCTP:
		return sizeof(struct rte_sctp_hdr) + SCTP_DATA_HDR_LEN;
	default:
		return sizeof(struct rte_udp_hdr);
	}
}

int
ss_gen_spec_check(const struct ss_gen_spec *sp, char *err, size_t len)
{
	unsigned int i, nb_keys = 0;

	if ((unsigned int)sp->proto >= SS_GEN_PROTO_MAX) {
		snprintf(err, len, "unknown protocol %d", sp->proto);
		return -EINVAL;
	}
	if (sp->src.family != sp->dst.family ||
			(sp->src.family != AF_INET &&
			 sp->src.family != AF_INET6)) {
		snprintf(err, len, "source and destination must both be IPv4 "
			"or both IPv6");
		return -EINVAL;
	}
	if (sp->stream >= SS_GEN_MAX_STREAMS) {
		snprintf(err, len, "stream number %u above %u", sp->stream,
			SS_GEN_MAX_STREAMS - 1);
		return -EINVAL;
	}
	if (sp->flows == 0 || sp->flows > SS_GEN_MAX_FLOWS) {
		snprintf(err, len, "flows must be 1..%u, got %u",
			SS_GEN_MAX_FLOWS, sp->flows);
		return -EINVAL;
	}
	if (!sp->imix && (sp->nb_sizes == 0 ||
			sp->nb_sizes > SS_GEN_MAX_SIZES)) {
		snprintf(err, len, "give 1..%u sizes or imix",
			SS_GEN_MAX_SIZES);
		return -EINVAL;
	}
	for (i = 0; !sp->imix && i < sp->nb_sizes; i++)
		if (sp->sizes[i] < SS_GEN_MIN_SIZE ||
				sp->sizes[i] > SS_GEN_MAX_SIZE) {
			snprintf(err, len, "size %u is outside %u..%u",
				sp->sizes[i], SS_GEN_MIN_SIZE, SS_GEN_MAX_SIZE);
			return -EINVAL;
		}
	if (sp->proto == SS_GEN_GTPU || sp->proto == SS_GEN_SCTP) {
		if (sp->nb_ids == 0 || sp->nb_ids > SS_GEN_MAX_IDS ||
				sp->bits == 0 || sp->bits > SS_STEER_MAX_BITS) {
			snprintf(err, len, "%s needs 1..%u instance-ids and "
				"instance_bits 1..%u",
				ss_gen_proto_name(sp->proto), SS_GEN_MAX_IDS,
				SS_STEER_MAX_BITS);
			return -EINVAL;
		}
		for (i = 0; i < sp->nb_ids; i++)
			if (sp->ids[i] >= (1u << sp->bits)) {
				snprintf(err, len,
					"id %u does not fit in %u bits",
					sp->ids[i], sp->bits);
				return -EINVAL;
			}
		nb_keys = sp->nb_ids;
	}
	if (sp->proto == SS_GEN_ESP) {
		if (sp->esp == NULL) {
			snprintf(err, len, "esp needs SAs");
			return -EINVAL;
		}
		nb_keys = ss_gen_esp_nb_sas(sp->esp);
	}
	if (nb_keys != 0 && sp->flows % nb_keys != 0) {
		snprintf(err, len, "flows (%u) must be a multiple of the %u "
			"%s, so that each gets the same share", sp->flows,
			nb_keys, sp->proto == SS_GEN_ESP ? "SAs" : "ids");
		return -EINVAL;
	}
	return 0;
}

struct ss_gen_stream *
ss_gen_stream_create(const struct ss_gen_spec *sp, int socket)
{
	struct ss_gen_stream *s;
	char err[128];
	unsigned int min;

	if (ss_gen_spec_check(sp, err, sizeof(err)) != 0) {
		GEN_LOG(ERR, "stream %u: %s", sp->stream, err);
		rte_errno = EINVAL;
		return NULL;
	}
	s = rte_zmalloc_socket("ss_gen_stream", sizeof(*s),
		RTE_CACHE_LINE_SIZE, socket);
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->sp = *sp;
	s->l3_hl = sp->src.family == AF_INET ? sizeof(struct rte_ipv4_hdr) :
		sizeof(struct rte_ipv6_hdr);
	s->l4_hl = l4_hdr_len(sp->proto);
	min = RTE_ETHER_HDR_LEN + s->l3_hl + s->l4_hl + SS_GEN_STAMP_LEN +
		FCS_LEN;
	s->min_size = (uint16_t)RTE_MAX(min, (unsigned int)SS_GEN_MIN_SIZE);
	return s;
}

void
ss_gen_stream_free(struct ss_gen_stream *s)
{
	rte_free(s);
}

uint16_t
ss_gen_stream_size_of(const struct ss_gen_stream *s, uint64_t idx)
{
	if (s->sp.imix)
		return imix[idx % SS_GEN_IMIX_CYCLE];
	return s->sp.sizes[idx % s->sp.nb_sizes];
}

uint16_t
ss_gen_stream_min_size(const struct ss_gen_stream *s)
{
	return s->min_size;
}

uint64_t
ss_gen_stream_built(const struct ss_gen_stream *s)
{
	return s->built;
}

/* SCTP checksum: CRC32c (RFC 9260 appendix A), stored little-endian.
 * The header sits 2 bytes off alignment: load through memcpy. */
static void
sctp_cksum_set(struct rte_sctp_hdr *h, uint32_t len)
{
	const uint8_t *p = (const uint8_t *)h;
	uint32_t crc = 0xffffffff;
	uint64_t v;

	h->cksum = 0;
	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&v, p, 8);
		crc = rte_hash_crc_8byte(v, crc);
	}
	for (; len > 0; len--, p++)
		crc = rte_hash_crc_1byte(*p, crc);
	h->cksum = rte_cpu_to_le_32(~crc);
}

static void
src_addr(const struct ss_gen_spec *sp, uint16_t f, void *out)
{
	if (sp->src.family == AF_INET) {
		uint32_t a = rte_be_to_cpu_32(sp->src.v4);

		if (sp->vary != SS_GEN_VARY_PORT)
			a += f;
		a = rte_cpu_to_be_32(a);
		memcpy(out, &a, 4);
	} else {
		uint8_t a[16];
		uint16_t lo;

		memcpy(a, sp->src.v6, 16);
		if (sp->vary != SS_GEN_VARY_PORT) {
			lo = (uint16_t)((a[14] << 8 | a[15]) + f);
			a[14] = (uint8_t)(lo >> 8);
			a[15] = (uint8_t)lo;
		}
		memcpy(out, a, 16);
	}
}

/* The IP packet of one frame at d (l3len bytes, zeroed by the caller). */
static void
build_l3(struct ss_gen_stream *s, uint8_t *d, uint16_t l3len, uint16_t f,
	uint32_t seq, uint64_t tsc)
{
	const struct ss_gen_spec *sp = &s->sp;
	const uint16_t l4len = (uint16_t)(l3len - s->l3_hl);
	uint8_t *l4 = d + s->l3_hl;
	uint16_t sport = sp->sport;
	struct rte_ipv4_hdr *h4 = NULL;
	struct rte_ipv6_hdr *h6 = NULL;
	struct ss_gen_stamp st;
	uint8_t proto;

	if (sp->vary != SS_GEN_VARY_ADDR)
		sport = (uint16_t)(sport + f);
	switch (sp->proto) {
	case SS_GEN_TCP:
		proto = IPPROTO_TCP;
		break;
	case SS_GEN_SCTP:
		proto = IPPROTO_SCTP;
		break;
	default:
		proto = IPPROTO_UDP;
		break;
	}
	if (sp->src.family == AF_INET) {
		h4 = (struct rte_ipv4_hdr *)d;
		h4->version_ihl = RTE_IPV4_VHL_DEF;
		h4->total_length = rte_cpu_to_be_16(l3len);
		h4->packet_id = rte_cpu_to_be_16((uint16_t)seq);
		h4->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		h4->time_to_live = 64;
		h4->next_proto_id = proto;
		src_addr(sp, f, &h4->src_addr);
		h4->dst_addr = sp->dst.v4;
		h4->hdr_checksum = rte_ipv4_cksum(h4);
	} else {
		h6 = (struct rte_ipv6_hdr *)d;
		h6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h6->payload_len = rte_cpu_to_be_16(l4len);
		h6->proto = proto;
		h6->hop_limits = 64;
		src_addr(sp, f, h6->src_addr);
		memcpy(h6->dst_addr, sp->dst.v6, 16);
	}

	st.magic = SS_GEN_STAMP_MAGIC;
	st.key = ss_gen_stamp_key(sp->stream, f);
	st.seq = seq;
	st.tsc = tsc;
	memcpy(d + l3len - SS_GEN_STAMP_LEN, &st, sizeof(st));

	switch (sp->proto) {
	case SS_GEN_TCP: {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4;

		t->src_port = rte_cpu_to_be_16(sport);
		t->dst_port = rte_cpu_to_be_16(sp->dport);
		t->sent_seq = rte_cpu_to_be_32(seq * 1460u + 1);
		t->recv_ack = rte_cpu_to_be_32(1);
		t->data_off = (sizeof(*t) / 4) << 4;
		t->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
		t->rx_win = rte_cpu_to_be_16(65535);
		t->cksum = h4 != NULL ? rte_ipv4_udptcp_cksum(h4, t) :
			rte_ipv6_udptcp_cksum(h6, t);
		break;
	}
	case SS_GEN_SCTP: {
		struct rte_sctp_hdr *c = (struct rte_sctp_hdr *)l4;
		struct sctp_data_chunk *dc = (struct sctp_data_chunk *)(c + 1);
		const uint16_t id = sp->ids[f % sp->nb_ids];

		c->src_port = rte_cpu_to_be_16(sport);
		c->dst_port = rte_cpu_to_be_16(sp->dport);
		c->tag = rte_cpu_to_be_32(ss_steer_vtag_make(id, sp->bits,
			(uint32_t)f + 1));
		dc->type = 0;			/* DATA */
		dc->flags = 0x03;		/* B + E: unfragmented */
		dc->length = rte_cpu_to_be_16((uint16_t)(l4len -
			sizeof(*c)));
		dc->tsn = rte_cpu_to_be_32(seq);
		dc->ssn = rte_cpu_to_be_16((uint16_t)seq);
		sctp_cksum_set(c, l4len);
		break;
	}
	case SS_GEN_GTPU: {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;
		uint8_t *g = l4 + sizeof(*u);
		struct rte_ipv4_hdr *in = (struct rte_ipv4_hdr *)(g +
			GTPU_HDR_LEN);
		struct rte_udp_hdr *iu = (struct rte_udp_hdr *)(in + 1);
		const uint16_t id = sp->ids[f % sp->nb_ids];
		const uint16_t glen = (uint16_t)(l4len - sizeof(*u) -
			GTPU_HDR_LEN);
		uint32_t teid = rte_cpu_to_be_32(ss_steer_teid_make(id,
			sp->bits, (uint32_t)f + 1));
		rte_be16_t gl = rte_cpu_to_be_16(glen);

		u->src_port = rte_cpu_to_be_16(sport);
		u->dst_port = rte_cpu_to_be_16(SS_STEER_UDP_GTPU);
		u->dgram_len = rte_cpu_to_be_16(l4len);
		g[0] = 0x30;			/* version 1, PT 1 */
		g[1] = 0xff;			/* G-PDU */
		memcpy(g + 2, &gl, 2);
		memcpy(g + 4, &teid, 4);
		in->version_ihl = RTE_IPV4_VHL_DEF;
		in->total_length = gl;
		in->time_to_live = 64;
		in->next_proto_id = IPPROTO_UDP;
		in->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 200, f >> 8,
			f & 0xff));
		in->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 201, 0, 1));
		in->hdr_checksum = rte_ipv4_cksum(in);
		iu->src_port = rte_cpu_to_be_16(1024);
		iu->dst_port = rte_cpu_to_be_16(9);
		iu->dgram_len = rte_cpu_to_be_16((uint16_t)(glen - 20));
		u->dgram_cksum = h4 != NULL ? rte_ipv4_udptcp_cksum(h4, u) :
			rte_ipv6_udptcp_cksum(h6, u);
		break;
	}
	default: {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

		u->src_port = rte_cpu_to_be_16(sport);
		u->dst_port = rte_cpu_to_be_16(sp->dport);
		u->dgram_len = rte_cpu_to_be_16(l4len);
		u->dgram_cksum = h4 != NULL ? rte_ipv4_udptcp_cksum(h4, u) :
			rte_ipv6_udptcp_cksum(h6, u);
		break;
	}
	}
}

/* Frame length without FCS for packet idx. */
static uint16_t
frame_len(const struct ss_gen_stream *s, uint64_t idx)
{
	uint16_t size = RTE_MAX(ss_gen_stream_size_of(s, idx), s->min_size);
	uint16_t l = (uint16_t)(size - FCS_LEN);

	if (s->sp.proto == SS_GEN_SCTP) {
		uint16_t hdr = (uint16_t)(RTE_ETHER_HDR_LEN + s->l3_hl +
			s->l4_hl);

		l = (uint16_t)(hdr + RTE_ALIGN_CEIL(l - hdr, 4u));
	}
	return l;
}

static void
eth_write(const struct ss_gen_spec *sp, uint8_t *d, uint8_t family)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)d;

	rte_ether_addr_copy(&sp->dst_mac, &e->dst_addr);
	rte_ether_addr_copy(&sp->src_mac, &e->src_addr);
	e->ether_type = rte_cpu_to_be_16(family == AF_INET ?
		RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
}

uint16_t
ss_gen_build_burst(struct ss_gen_stream *s, struct rte_mempool *mp,
	struct rte_mbuf **m, uint16_t n, uint64_t tsc, uint64_t *enc_drops)
{
	const struct ss_gen_spec *sp = &s->sp;
	const bool esp = sp->proto == SS_GEN_ESP;
	struct rte_mbuf *tmp[SS_GEN_BURST];
	uint16_t sa[SS_GEN_BURST];
	uint16_t i, k, done = 0;

	while (done < n) {
		uint16_t c = RTE_MIN((uint16_t)(n - done),
			(uint16_t)SS_GEN_BURST);
		struct rte_mbuf **b = esp ? tmp : m + done;

		if (rte_pktmbuf_alloc_bulk(mp, b, c) != 0)
			break;
		for (i = 0; i < c; i++) {
			const uint64_t idx = s->built++;
			const uint16_t f = (uint16_t)(idx % sp->flows);
			const uint16_t flen = frame_len(s, idx);
			const uint16_t l2 = esp ? 0 : RTE_ETHER_HDR_LEN;
			const uint16_t l3len = (uint16_t)(flen -
				RTE_ETHER_HDR_LEN);
			uint8_t *d;

			d = (uint8_t *)rte_pktmbuf_append(b[i], l2 + l3len);
			memset(d, 0, l2 + l3len);
			if (!esp)
				eth_write(sp, d, sp->src.family);
			build_l3(s, d + l2, l3len, f, s->seq[f]++, tsc);
			b[i]->l2_len = l2;
			b[i]->l3_len = s->l3_hl;
			if (esp)
				sa[i] = (uint16_t)(f %
					ss_gen_esp_nb_sas(sp->esp));
		}
		if (!esp) {
			done += c;
			continue;
		}
		k = ss_gen_esp_encrypt(sp->esp, tmp, c, sa, m + done);
		if (enc_drops != NULL)
			*enc_drops += c - k;
		for (i = 0; i < k; i++) {
			struct rte_mbuf *p = m[done + i];
			const uint8_t *ip = rte_pktmbuf_mtod(p, uint8_t *);
			uint8_t fam = ip[0] >> 4 == 4 ? AF_INET : AF_INET6;
			uint8_t *d = (uint8_t *)rte_pktmbuf_prepend(p,
				RTE_ETHER_HDR_LEN);

			eth_write(sp, d, fam);
			p->l2_len = RTE_ETHER_HDR_LEN;
		}
		done += k;
		if (k < c)
			break;
	}
	return done;
}
