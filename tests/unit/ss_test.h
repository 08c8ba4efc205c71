/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_TEST_H
#define SS_TEST_H

/* Shared by the Check suites: start EAL the way tests must on this kind of
 * machine (no hugepages, no PCI probing, private runtime files). */

#include <stdbool.h>
#include <stdint.h>

struct rte_mbuf;
struct rte_mempool;

/** rte_eal_init with --no-huge --no-pci -m 256 --no-shconf and a file
 * prefix unique to this process; 'extra' (may be NULL) adds arguments,
 * e.g. {"--vdev=crypto_aesni_gcm0", NULL}. Aborts on failure. */
void
ss_test_eal_init(const char *const extra[]);

/** A pktmbuf pool of 'n' mbufs (2048 B data room), made once. */
struct rte_mempool *
ss_test_pool(unsigned int n);

/** The len bytes at b as one mbuf of ss_test_pool (cut == len) or two
 * chained at 'cut', to exercise multi-segment reads. Aborts on failure. */
struct rte_mbuf *
ss_test_mbuf_split(const uint8_t *b, uint16_t len, uint16_t cut);

/** What lib/net's classification promises with its IPv4-checked mark
 * (SS_NET_PTYPE_IP4_CHECKED, which lib/steer and lib/spd read: IHL 5,
 * the packet whole in the first segment, pkt_len == data_len == 14 +
 * total length >= 34) holds for m. */
bool
ss_test_ip4_checked_ok(const struct rte_mbuf *m);

/** Fill buf from a hex string (spaces allowed); returns bytes written. */
size_t
ss_test_hex(const char *hex, uint8_t *buf, size_t len);

#endif
