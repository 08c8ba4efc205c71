/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_INLINE_H
#define SS_INLINE_H

/**
 * The "inline" crypto back-end of lib/esp (enum ss_sa_backend): SAs whose
 * packets the outside port's NIC encrypts and decrypts itself, through
 * rte_security inline crypto (RTE_SECURITY_ACTION_TYPE_INLINE_CRYPTO),
 * as DPDK's ipsec-secgw does on ixgbe/txgbe-class NICs. Each SA gets an
 * rte_security session on the port's security context, made only when
 * the context's capabilities cover the SA (mode, direction, ESN, UDP
 * encapsulation, algorithm and key size; otherwise the SA is refused
 * with a sentence saying what the NIC lacks), and an rte_ipsec session
 * of the same type: rte_ipsec writes the ESP header and trailer and flags
 * the packet, the NIC fills in ciphertext and ICV on transmit; received
 * packets arrive decrypted and flagged (RTE_MBUF_F_RX_SEC_OFFLOAD), and
 * lib/esp checks the flags, the trailer, its own replay window and the
 * selectors. On a NIC's own context each inbound SA also gets an rte_flow
 * rule (ESP SPI and destination -> SECURITY, to the server's queue), as
 * inline crypto NICs require. The context may instead be the software
 * inline NIC's (drivers/swnic/ss_swnic_sec.h), which needs no rule.
 * An inbound SA also keeps a software crypto state (lib/esp's ipsec-mb
 * engine) for the ESP the NIC passes up undecrypted: packets that came
 * before the NIC had the session (held meanwhile), or that it does not
 * handle. Both are wiped when the SA is deleted.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_security_ctx;

struct ss_inline_conf {
	uint16_t port_id;
	/* NULL: the port's own (rte_eth_dev_get_sec_ctx) */
	struct rte_security_ctx *ctx;
	uint32_t max_sessions;		/* 2..65536 */
	int socket;
	/* own context only: the rx queue of each server (by server
	 * index), for the inbound rules, read when an SA is made (so it
	 * must stay valid); NULL: queue = server index */
	const uint16_t *server_queue;
	uint16_t nb_server_queue;
};

struct ss_inline_stats {
	uint64_t created;		/* sessions made */
	uint64_t refused;		/* SAs the NIC could not take */
	uint64_t destroyed;
	uint64_t flows;			/* inbound rules installed */
	uint32_t sessions;		/* now */
	bool own_ctx;			/* the PMD's context (else software) */
};

/**
 * Take the "inline" back-end slot for the port's security context.
 * Control lcore, before SAs use it. 0, or -errno with err filled (the
 * port has no context, no inline crypto capability, no memory).
 */
int
ss_inline_init(const struct ss_inline_conf *c, char *err, size_t len);

/** Give the slot back and free the session pool (after every inline SA
 * is gone). */
void
ss_inline_fini(void);

/** Whether the back-end runs. */
bool
ss_inline_active(void);

void
ss_inline_stats_get(struct ss_inline_stats *st);

#endif /* SS_INLINE_H */
