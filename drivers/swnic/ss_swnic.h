/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_SWNIC_H
#define SS_SWNIC_H

/**
 * swnic: a software inline-crypto NIC, for machines without one. It has
 * what the key path of an inline IPsec NIC has: a key table in device
 * memory, and a mailbox through which the host pushes a session's key
 * with its n-tuple (addresses, SPI, ports: the SA) and later learns, from
 * a completion, that the device has stored it (or why it refused). The
 * device's firmware (ss_swnic_poll, which the control lcore runs) takes
 * each request once the configured latency has passed, as a NIC takes
 * its time to program its tables, and builds the session's crypto state
 * in the slot with the ops given at create. The data path then encrypts
 * and decrypts with that state (ss_swnic_state); the key bytes of the
 * request are wiped as soon as the firmware has taken them, and the
 * state when the slot is erased.
 *
 * Everything here runs on one thread (the control lcore); the data path
 * only reads a state pointer the caller has published.
 */

#include <stddef.h>
#include <stdint.h>

struct ss_sa;

#define SS_SWNIC_MAX_SLOTS 65536
#define SS_SWNIC_MAX_LATENCY_US 10000000u
#define SS_SWNIC_KEY_MAX 64

/** How the firmware turns a key into the crypto state of a slot. */
struct ss_swnic_ops {
	/* The state for sa's n-tuple and this key; NULL with err filled. */
	void *(*state_make)(const struct ss_sa *sa, const uint8_t *key,
		uint8_t klen, char *err, size_t len);
	/* Wipe and free a state. */
	void (*state_free)(void *state);
};

struct ss_swnic_conf {
	uint32_t slots;		/* key table entries, 1..SS_SWNIC_MAX_SLOTS */
	uint32_t latency_us;	/* request -> stored, 0..MAX_LATENCY_US */
	int socket;
	const struct ss_swnic_ops *ops;	/* copied by ss_swnic_create */
};

/** The answer to one store request. */
struct ss_swnic_completion {
	uint64_t cookie;	/* as given to ss_swnic_store */
	uint32_t slot;
	int32_t status;		/* 0: stored; -errno: refused */
	uint64_t wait_tsc;	/* request to completion (timer cycles) */
};

struct ss_swnic_stats {
	uint64_t stores;	/* requests accepted into the mailbox */
	uint64_t stored;	/* completions with status 0 */
	uint64_t refused;	/* completions with an error */
	uint64_t table_full;	/* ss_swnic_store: no free slot */
	uint64_t erased;	/* slots freed */
	uint64_t cancelled;	/* erased while their request was pending */
	uint64_t wait_min_tsc, wait_max_tsc, wait_sum_tsc;	/* stored */
	uint32_t used;		/* slots in use now (pending or stored) */
	uint32_t pending;	/* requests the firmware has not taken */
};

struct ss_swnic;

/** A device with an empty key table. NULL with rte_errno (EINVAL for a
 * bad conf, ENOMEM). */
struct ss_swnic *
ss_swnic_create(const struct ss_swnic_conf *conf);

/** Erase every slot (states wiped and freed, pending requests' keys
 * wiped) and free the device. NULL is fine. */
void
ss_swnic_free(struct ss_swnic *d);

/**
 * Take a free slot for sa and put a store request for it in the mailbox:
 * the key bytes are copied into the request (and wiped once the firmware
 * has taken them); sa must stay valid until the slot is erased. Returns
 * the slot (>= 0), -ENOSPC when every slot is in use (counted), -EINVAL.
 */
int
ss_swnic_store(struct ss_swnic *d, const struct ss_sa *sa,
	const uint8_t *key, uint8_t klen, uint64_t cookie, uint64_t now_tsc);

/** Free a slot: a pending request is cancelled (its key wiped, no
 * completion), a stored state is wiped and freed, and a completion not
 * yet read is dropped. Unused slots are ignored. */
void
ss_swnic_erase(struct ss_swnic *d, uint32_t slot);

/** The firmware: handle, in order, the requests made at least
 * latency_us before now_tsc; each gives one completion. A refused slot
 * stays in use (no state) until the host erases it. Returns how many
 * were handled. */
unsigned int
ss_swnic_poll(struct ss_swnic *d, uint64_t now_tsc);

/** Read up to max completions, oldest first. */
unsigned int
ss_swnic_completions(struct ss_swnic *d, struct ss_swnic_completion out[],
	unsigned int max);

/** The crypto state of a stored slot; NULL while pending, refused or
 * unused. */
void *
ss_swnic_state(const struct ss_swnic *d, uint32_t slot);

void
ss_swnic_stats_get(const struct ss_swnic *d, struct ss_swnic_stats *st);

const struct ss_swnic_conf *
ss_swnic_conf_get(const struct ss_swnic *d);

/** Test hook: the firmware refuses the next request it handles (not one
 * cancelled before) with err (< 0; 0 or more disarms), as a device whose
 * table write failed. */
void
ss_swnic_test_fail_next(struct ss_swnic *d, int err);

#endif /* SS_SWNIC_H */
