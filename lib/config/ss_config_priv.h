/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_CONFIG_PRIV_H
#define SS_CONFIG_PRIV_H

/* Shared between the loader (ss_config.c) and the getters
 * (ss_config_get.c); not part of the public API. */

#include <rte_log.h>

#include "ss_config.h"

extern int ss_cfg_logtype;

#define SS_CFG_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_cfg_logtype, "ss_cfg: " fmt "\n", \
		##__VA_ARGS__)

/* Longest user string quoted back in an error message. */
#define SS_CFG_QUOTE_MAX 80

/* Error at 'line' with the path of setting 'where' (used for "missing"
 * and "unknown" settings, which are reported against their group). */
int
ss_cfg_fail_at(struct ss_cfg_error *err, const config_setting_t *where,
	unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Error without a setting: file and line given directly. */
int
ss_cfg_fail_file(struct ss_cfg_error *err, const char *file,
	unsigned int line, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* "ports.[1].mtu"; "" for the root. */
void
ss_cfg_setting_path(const config_setting_t *s, char *buf, size_t len);

/* The file a setting came from (the load name for text). */
const char *
ss_cfg_setting_file(const config_setting_t *s);

/* "an integer", "a string"... */
const char *
ss_cfg_type_name(int type);

/* Member 'name' of group (NULL when group is NULL or has none). */
config_setting_t *
ss_cfg_member(const config_setting_t *group, const char *name);

#endif /* SS_CONFIG_PRIV_H */
