/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "ss_test.h"

void
ss_test_eal_init(const char *const extra[])
{
	char prefix[64];
	char *argv[32];
	int argc = 0;
	int i;

	snprintf(prefix, sizeof(prefix), "--file-prefix=sstest%d", getpid());
	argv[argc++] = (char *)"ss_test";
	argv[argc++] = (char *)"--no-huge";
	argv[argc++] = (char *)"--no-pci";
	argv[argc++] = (char *)"--no-shconf";
	argv[argc++] = (char *)"-m";
	argv[argc++] = (char *)"256";
	argv[argc++] = (char *)"-l";
	argv[argc++] = (char *)"0";
	argv[argc++] = (char *)"--log-level=lib.eal:warning";
	argv[argc++] = prefix;
	for (i = 0; extra != NULL && extra[i] != NULL && argc < 31; i++)
		argv[argc++] = (char *)extra[i];
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "ss_test: rte_eal_init failed\n");
		abort();
	}
}

struct rte_mempool *
ss_test_pool(unsigned int n)
{
	static struct rte_mempool *mp;

	if (mp == NULL)
		mp = rte_pktmbuf_pool_create("ss_test_pool", n, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL)
		abort();
	return mp;
}

struct rte_mbuf *
ss_test_mbuf_split(const uint8_t *b, uint16_t len, uint16_t cut)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ss_test_pool(2048));
	struct rte_mbuf *m2;
	uint8_t *d;

	if (m == NULL || cut > len)
		abort();
	d = (uint8_t *)rte_pktmbuf_append(m, cut);
	if (d == NULL)
		abort();
	memcpy(d, b, cut);
	if (cut < len) {
		m2 = rte_pktmbuf_alloc(ss_test_pool(2048));
		if (m2 == NULL)
			abort();
		d = (uint8_t *)rte_pktmbuf_append(m2, len - cut);
		if (d == NULL)
			abort();
		memcpy(d, b + cut, len - cut);
		if (rte_pktmbuf_chain(m, m2) != 0)
			abort();
	}
	return m;
}

size_t
ss_test_hex(const char *hex, uint8_t *buf, size_t len)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex != '\0' && n < len; hex++) {
		int v;

		if (!isxdigit((unsigned char)*hex))
			continue;
		v = isdigit((unsigned char)*hex) ? *hex - '0' :
			tolower((unsigned char)*hex) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

bool
ss_test_ip4_checked_ok(const struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	uint16_t tot;

	if (m->l2_len != 14 || m->data_len != m->pkt_len ||
			m->pkt_len < 14 + 20 || ip[0] != 0x45)
		return false;
	tot = (uint16_t)(ip[2] << 8 | ip[3]);
	return tot >= 20 && m->pkt_len == 14u + tot;
}
