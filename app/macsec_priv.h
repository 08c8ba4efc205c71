/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_APP_MACSEC_PRIV_H
#define SS_APP_MACSEC_PRIV_H

/* Shared by macsec_cfg.c, macsec.c and the shell (control lcore only). */

#include <stdio.h>

#include "ss_app_macsec.h"
#include "ss_config.h"

struct ss_app_msec {
	uint8_t n;
	char save_keys[256];		/* debug_save_keys: SAK table dir */
	FILE *keys;			/* open while save_keys is set */
	struct ss_app_msec_port p[SS_CFG_MAX_PORTS];
};

extern struct ss_app_msec ss_app_msec_state;

/* Forget the parsed ports (the CAKs wiped). */
void ss_app_msec_wipe_cfg(struct ss_app_msec *ms);
const char *ss_app_macsec_cipher_name(enum ss_macsec_cipher c);
const char *ss_app_macsec_validate_name(enum ss_macsec_validate v);
const char *ss_app_mka_state_name(enum ss_mka_state s);

#endif
