/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_GEN_PRIV_H
#define SS_GEN_PRIV_H

#include <rte_log.h>

extern int ss_gen_logtype;
#define GEN_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_gen_logtype, "gen: " fmt "\n", \
		##__VA_ARGS__)

#endif /* SS_GEN_PRIV_H */
