/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_SWNIC_ESP_H
#define SS_SWNIC_ESP_H

/**
 * The "swnic" crypto back-end of lib/esp (enum ss_sa_backend): SAs whose
 * key is pushed into the software inline NIC (ss_swnic.h) and processed
 * with the state the NIC built from it. An SA is created paused (its
 * packets are held by the caller of lib/esp, or dropped as "paused");
 * the control lcore's service turn runs the NIC's firmware, reads its
 * completions and resumes each SA whose key the NIC has stored. Keys
 * live in the NIC's slots and are wiped when their SA is deleted.
 */

#include <stdint.h>

#include "ss_swnic.h"

/** Create the device (conf.ops is filled in here) and take the "swnic"
 * back-end slot. Control lcore, before SAs use it. 0 or -errno. */
int
ss_swnic_esp_init(uint32_t slots, uint32_t latency_us, int socket);

/** Free the device (after every swnic SA is gone). */
void
ss_swnic_esp_fini(void);

/** The device, or NULL before init. */
struct ss_swnic *
ss_swnic_esp_dev(void);

/** What the service turn counted. */
struct ss_swnic_esp_stats {
	uint64_t resumed;		/* SAs resumed after a stored key */
	uint64_t refused;		/* SAs left paused: the NIC refused */
	uint64_t pause_min_tsc, pause_max_tsc, pause_sum_tsc;
};

/**
 * Control lcore, every turn: run the firmware at now_tsc and resume the
 * SAs whose keys are stored. Returns the completions handled (work done).
 */
unsigned int
ss_swnic_esp_service(uint64_t now_tsc);

void
ss_swnic_esp_stats_get(struct ss_swnic_esp_stats *st);

#endif /* SS_SWNIC_ESP_H */
