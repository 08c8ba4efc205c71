/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Fuzz target for the IKEv2 message parser and the engine's input path.
 *
 * Built with -DSS_IKE_FUZZING together with the library sources (never the
 * library itself): the RNG is reproducible and the SK payload is not
 * encrypted, so a scripted exchange between two engines replays byte for
 * byte and one of its messages can be replaced by a mutated one that
 * reaches the state machine with valid SPIs and message IDs.
 *
 * libFuzzer: tests/ike/build_libfuzzer.sh (clang, ASan, UBSan).
 * Plain program (-DSS_FUZZ_STANDALONE, built by meson): a built-in mutator
 * runs N iterations (argv[1], default 5000) over the recorded messages.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ss_ike_priv.h"
#include "ss_fuzz.h"

#define MAX_SEEDS 64

struct pkt {
	uint8_t buf[IKE_MAX_MSG + 8];
	size_t len;
	int to;			/* 0: A, 1: B */
	uint16_t port;
};

static struct ss_ike *eng[2];
static struct ss_ike_addr addr[2][2];	/* [side][500/4500] */
static struct pkt seeds[MAX_SEEDS];
static unsigned int nb_seeds;
static struct pkt q[256];
static unsigned int q_len;
static bool recording;
static uint64_t now = 1000;
/* replay: message number 'stop_at' of the exchange is replaced */
static int stop_at = -1, seq;
static const uint8_t *fz_data;
static size_t fz_len;

static int
f_send(void *ctx, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote, const uint8_t *buf, size_t len)
{
	int from = (int)(intptr_t)ctx;

	(void)remote;
	if (q_len >= RTE_DIM(q) || len > sizeof(q[0].buf))
		return -ENOSPC;
	memcpy(q[q_len].buf, buf, len);
	q[q_len].len = len;
	q[q_len].to = !from;
	q[q_len].port = local->port;
	if (recording && nb_seeds < MAX_SEEDS)
		seeds[nb_seeds++] = q[q_len];
	q_len++;
	return 0;
}

static void
pump(void)
{
	unsigned int i = 0;

	while (i < q_len) {
		struct pkt *p = &q[i++];
		int k = p->port == SS_IKE_PORT_NATT;
		const uint8_t *b = p->buf;
		size_t l = p->len;

		if (seq++ == stop_at) {
			b = fz_data;
			l = fz_len;
		}
		ss_ike_input(eng[p->to], &addr[p->to][k], &addr[!p->to][k], b,
			l, now);
		if (i == q_len)
			i = q_len = 0;
	}
	q_len = 0;
}

static const char conf_text[] =
	"ike = { cookie_threshold = 100; peers = ( {\n"
	" name = \"p\"; local_addr = \"%s\"; remote_addr = \"%s\";\n"
	" local_id = \"%s\"; remote_id = \"%s\"; psk = \"fuzz\";\n"
	" ike_proposals = [\"aes128gcm16-prfsha256-ecp256\","
	"  \"aes256-sha256-modp2048\"];\n"
	" children = ( { name = \"c\"; local_ts = \"%s\";"
	" remote_ts = \"%s\"; esp_proposals = [\"aes128gcm16-esn\","
	" \"aes256-sha256-noesn\"]; } ); } ); };\n";

static struct ss_ike *
make(int side)
{
	static const struct ss_ike_ops ops = { .send = f_send };
	struct ss_ike_conf conf;
	struct ss_cfg_error err;
	char text[2048];
	config_t lc;
	struct ss_ike *e;

	snprintf(text, sizeof(text), conf_text,
		side ? "10.0.0.2" : "10.0.0.1", side ? "10.0.0.1" : "10.0.0.2",
		side ? "b.example" : "a.example",
		side ? "a.example" : "b.example",
		side ? "10.2.0.0/24" : "10.1.0.0/24",
		side ? "10.1.0.0/24" : "10.2.0.0/24");
	config_init(&lc);
	if (config_read_string(&lc, text) != CONFIG_TRUE ||
		ss_ike_cfg_parse(NULL, config_lookup(&lc, "ike"), &conf,
			&err) < 0) {
		fprintf(stderr, "fuzz config: %s\n", err.msg);
		abort();
	}
	config_destroy(&lc);
	e = ss_ike_create(&conf, &ops, (void *)(intptr_t)side);
	ss_ike_server_add(e, 1, now);
	ss_ike_server_add(e, 2, now);
	return e;
}

/* The whole scripted exchange: IKE_SA_INIT, IKE_AUTH, a second pair,
 * a child rekey (CREATE_CHILD_SA, INFORMATIONAL delete), a server
 * removal. Deterministic in fuzz builds (same bytes each time). */
static void
exchange(void)
{
	int s;

	for (s = 0; s < 2; s++)
		ss_ike_destroy(eng[s]);
	ike_fuzz_reset();
	q_len = 0;
	seq = 0;
	eng[0] = make(0);
	eng[1] = make(1);
	ss_ike_initiate(eng[0], "p", now);
	pump();
	ss_ike_rekey(eng[0], "p", true, now);
	pump();
	ss_ike_rekey(eng[1], "p", false, now);
	pump();
	ss_ike_server_del(eng[0], 2, now);
	pump();
	ss_ike_terminate(eng[1], "p", now);
	pump();
}

static void
setup(void)
{
	int s, k;

	if (nb_seeds > 0)
		return;
	rte_log_set_global_level(RTE_LOG_EMERG);
	for (s = 0; s < 2; s++)
		for (k = 0; k < 2; k++) {
			addr[s][k].ip.family = AF_INET;
			addr[s][k].ip.v4 = htonl(0x0a000001 + s);
			addr[s][k].port = k ? SS_IKE_PORT_NATT : SS_IKE_PORT;
		}
	recording = true;
	exchange();
	recording = false;
}

static void
decode_all(const uint8_t *data, size_t size)
{
	struct ike_msg m;
	enum ss_ike_counter why;
	unsigned int i;

	if (ike_msg_parse(data, size, &m, &why) < 0) {
		/* the bare chain decoder too, from a fuzzed first type */
		memset(&m, 0, sizeof(m));
		m.sk = -1;
		if (size > 0)
			ike_pl_chain(data[0], data + 1, size - 1, &m, &why);
	}
	for (i = 0; i < m.nb_pl; i++) {
		const struct ike_pl *p = &m.pl[i];
		struct ike_sa_pl sa;
		struct ike_notify n;
		struct ss_ike_ts ts[SS_IKE_MAX_TS];
		struct ike_delete d;
		struct ike_alg a;
		uint8_t nb;
		int chosen;

		switch (p->type) {
		case PL_SA:
			if (ike_sa_decode(p, &sa) == 0) {
				struct ss_ike_proposal pr;

				ss_ike_proposal_parse(
					"aes128gcm16-aes256-sha256-prfsha256-"
					"ecp256-modp2048", false, &pr);
				ike_prop_select(&sa, PROTO_IKE, &pr, 1, &a,
					&chosen);
				ike_prop_check(&sa, PROTO_ESP, &pr, 1, &a);
			}
			break;
		case PL_NOTIFY:
			ike_notify_decode(p, &n);
			break;
		case PL_TSI:
		case PL_TSR:
			ike_ts_decode(p, ts, SS_IKE_MAX_TS, &nb);
			break;
		case PL_DELETE:
			ike_delete_decode(p, &d);
			break;
		}
	}
}

/* The recorded exchange as seed inputs (the libFuzzer corpus); first
 * byte = engine selector. */
static void
write_seeds(void)
{
	unsigned int i;

	for (i = 0; i < nb_seeds; i++)
		ss_fuzz_seed_write("seed", i, (uint8_t)(i | 0x80),
			seeds[i].buf, seeds[i].len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setup();
	write_seeds();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: [k][message]. Byte k picks which message of the scripted
 * exchange is replaced by 'message' (k % number of messages); bit 7 of k
 * asks the harness to fix the IKE length field so that mutations reach
 * past the header check. Everything around it runs for real.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[IKE_MAX_MSG + 16];
	unsigned int k;
	size_t off;

	setup();
	if (size < 1 || size - 1 > sizeof(buf))
		return 0;
	decode_all(data + 1, size - 1);
	k = (data[0] & 0x7f) % nb_seeds;
	memcpy(buf, data + 1, size - 1);
	off = seeds[k].port == SS_IKE_PORT_NATT ? 4 : 0;
	if ((data[0] & 0x80) && size - 1 >= off + IKE_HDR_LEN) {
		uint32_t l = (uint32_t)(size - 1 - off);

		buf[off + 24] = (uint8_t)(l >> 24);
		buf[off + 25] = (uint8_t)(l >> 16);
		buf[off + 26] = (uint8_t)(l >> 8);
		buf[off + 27] = (uint8_t)l;
	}
	fz_data = buf;
	fz_len = size - 1;
	stop_at = (int)k;
	exchange();
	stop_at = -1;
	return 0;
}

#ifdef SS_FUZZ_STANDALONE
int
main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 5000;
	static uint8_t buf[IKE_MAX_MSG + 16];
	unsigned long i;
	size_t len;

	setup();
	printf("fuzz_ike: %u messages in the scripted exchange, %lu "
		"iterations\n", nb_seeds, iters);
	if (nb_seeds < 12) {
		fprintf(stderr, "fuzz_ike: the scripted exchange failed\n");
		return 1;
	}
	{
		/* the replay must be exact, or replacing message k would not
		 * put the mutation where the seed was */
		static struct pkt first[MAX_SEEDS];
		unsigned int n = nb_seeds, j;

		memcpy(first, seeds, sizeof(first));
		nb_seeds = 0;
		recording = true;
		exchange();
		recording = false;
		for (j = 0; j < n; j++)
			if (first[j].len != seeds[j].len ||
				memcmp(first[j].buf, seeds[j].buf,
					first[j].len) != 0) {
				fprintf(stderr, "fuzz_ike: replay differs at "
					"message %u\n", j);
				return 1;
			}
		if (nb_seeds != n)
			return 1;
	}
	for (i = 0; i < iters; i++) {
		unsigned int k = ss_fuzz_rnd() % nb_seeds;
		const struct pkt *s = &seeds[k];
		const struct pkt *o = &seeds[ss_fuzz_rnd() % nb_seeds];

		buf[0] = (uint8_t)(k | ((ss_fuzz_rnd() & 3) ? 0x80 : 0));
		memcpy(buf + 1, s->buf, s->len);
		len = 1 + ss_fuzz_mutate(buf + 1, s->len, sizeof(buf) - 1,
			o->buf, o->len);
		LLVMFuzzerTestOneInput(buf, len);
		if ((i & 0xff) == 0)
			now += 1000;
	}
	printf("fuzz_ike: done, no crash\n");
	ss_ike_destroy(eng[0]);
	ss_ike_destroy(eng[1]);
	return 0;
}
#endif
