/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_ESP_PRIV_H
#define SS_ESP_PRIV_H

#include <rte_log.h>

#include "ss_esp.h"
#include "ss_crypto.h"

extern int ss_esp_logtype;
#define SS_ESP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_esp_logtype, "esp: " fmt "\n", \
		##__VA_ARGS__)

uint16_t
ss_esp_server_qp(const struct ss_esp_server *srv);

#endif
