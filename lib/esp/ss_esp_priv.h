/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_ESP_PRIV_H
#define SS_ESP_PRIV_H

#include <rte_ip.h>
#include <rte_log.h>

#include "ss_esp.h"
#include "ss_crypto.h"

extern int ss_esp_logtype;
#define SS_ESP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_esp_logtype, "esp: " fmt "\n", \
		##__VA_ARGS__)

uint16_t
ss_esp_server_qp(const struct ss_esp_server *srv);

/* Protocol and length fields of the IP header at d (v4 or v6 by its
 * version) for a datagram of len bytes; the IPv4 checksum is left to the
 * caller. */
static inline void
ss_esp_ip_set(uint8_t *d, uint8_t proto, uint32_t len)
{
	if ((d[0] >> 4) == 4) {
		struct rte_ipv4_hdr *h = (void *)d;

		h->next_proto_id = proto;
		h->total_length = rte_cpu_to_be_16((uint16_t)len);
	} else {
		struct rte_ipv6_hdr *h = (void *)d;

		h->proto = proto;
		h->payload_len = rte_cpu_to_be_16((uint16_t)(len -
			sizeof(*h)));
	}
}

#endif
