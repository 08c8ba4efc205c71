/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_TEST_ESP_H
#define SS_TEST_ESP_H

/* What the suites that run packets through lib/esp share (unit-esp,
 * unit-inline): a two-server SA database and loopback packets. */

#include <stdbool.h>
#include <stdint.h>

#include "ss_sa.h"

struct rte_mbuf;
struct rte_mempool;
struct rte_rcu_qsbr;

/** Instance bits of ss_test_esp_db; its servers are ids 1 and 2. */
#define SS_TEST_ESP_BITS 4

/** A database of two servers (ids 1, 2), 8 tunnels, 256 SAs per
 * server, with lib/esp attached and tunnel 0 ("t0") added; q may be
 * NULL. Aborts the test on failure. */
struct ss_sa_db *
ss_test_esp_db(struct rte_rcu_qsbr *q);

/** Loopback addresses: 192.0.2.host, or 2001:db8::host. */
void
ss_test_esp_addr(struct ss_ipaddr *a, uint8_t fam, int host);

/** An inner packet from mp: IPv4/IPv6 + UDP 1000 -> 2000 + plen bytes
 * counting up from seed; transport mode (trs) uses the outer addresses
 * 1 -> 2. */
struct rte_mbuf *
ss_test_esp_inner(struct rte_mempool *mp, uint8_t fam, bool trs,
	uint16_t plen, uint8_t seed);

#endif
