/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_APP_MACSEC_H
#define SS_APP_MACSEC_H

/*
 * MACsec ports (section "macsec"): each has a SecY (lib/macsec) run by
 * one server's worker lcore, the port's owner, and an MKA participant
 * (lib/mka) run by the control lcore. Frames a MACsec port receives on
 * another lcore's queue are handed to the owner to be validated; frames
 * that leave by it are handed to the owner to be protected: one lcore
 * numbers a transmit SA's frames (802.1AE wants one PN sequence per SA)
 * and keeps a receive SA's replay state, with no shared counter. EAPOL
 * (MKPDUs) bypasses the SecY both ways (the uncontrolled port).
 */

#include <stdbool.h>
#include <stdint.h>

#include "ss_macsec.h"
#include "ss_mka.h"

struct ss_app;
struct ss_hold;
struct ss_worker;
struct rte_mbuf;

/* Handoff kinds (worker.c tags; the server field carries the port). */
#define SS_HO_MSEC_RX 0x40	/* received on a MACsec port, not validated */
#define SS_HO_MSEC_TX 0x41	/* leaving by a MACsec port, not protected */

struct ss_app_msec_cfg {
	uint8_t port;			/* index into cfg ports */
	uint8_t cak[32];
	uint8_t cak_len;
	uint8_t ckn[32];
	uint8_t ckn_len;
	enum ss_macsec_cipher cipher;
	bool confidentiality;
	uint8_t priority;
	uint16_t port_id;		/* SCI port identifier */
	uint32_t replay_window;
	bool replay_protect;
	enum ss_macsec_validate validate;
	uint32_t hello_ms;
	uint32_t life_ms;
	uint32_t sak_rekey_s;
	uint32_t cak_renew_s;
	uint32_t hold_packets;		/* frames held until the first SAK */
	uint32_t hold_ms;
	uint16_t server;		/* instance-id of the owning server */
	int line;			/* for messages */
};

/* Control-lcore view of one MACsec port. */
struct ss_app_msec_port {
	struct ss_app_msec_cfg c;
	uint16_t owner;			/* worker index */
	uint64_t sci;
	struct ss_macsec *sy;
	struct ss_mka *mka;
	struct ss_hold *hold;		/* NULL: hold_packets 0 */
	uint64_t next_tick_ms;
	uint64_t eapol_rx;
	uint64_t eapol_tx;
	uint64_t eapol_tx_drops;
	uint64_t installs;		/* SAs installed by MKA */
	uint64_t deletes;
	uint64_t install_errors;
	/* MKA state for telemetry (its own thread), stored atomically by
	 * the control lcore after each MKA turn. */
	uint32_t tm_state;
	uint32_t tm_key_server;
	uint32_t tm_kn;
	uint32_t tm_cak_generation;
	uint32_t tm_live;
	uint32_t tm_tx_an;
};

int ss_app_macsec_register(struct ss_app *app);	/* before config load */
int ss_app_macsec_init(struct ss_app *app);	/* after the workers */
void ss_app_macsec_fini(struct ss_app *app);	/* workers stopped */
/* A frame for the control lcore: 0 when it was an MKPDU of a MACsec port
 * (consumed), -ENOTSUP otherwise. */
int ss_app_macsec_ctl_input(struct ss_app *app, struct rte_mbuf *m,
	uint8_t port);
void ss_app_macsec_timer(struct ss_app *app, uint64_t now_tsc);
uint8_t ss_app_macsec_nb_ports(void);
struct ss_app_msec_port *ss_app_macsec_port(uint8_t i);
/* By port index (cfg ports): NULL if not a MACsec port. */
struct ss_app_msec_port *ss_app_macsec_by_port(uint8_t port);
uint64_t ss_app_macsec_now_ms(void);

/* Data path (macsec_dp.c). A worker's burst received on MACsec port p:
 * validated here when the worker owns the port (returns what is left to
 * process, plain frames in m[]), else handed to the owner (returns 0). */
uint16_t ss_app_macsec_rx(struct ss_app *app, struct ss_worker *w,
	uint8_t p, struct rte_mbuf **m, uint16_t n);
/* n frames leaving by MACsec port p: protected and buffered for TX by
 * the owner, handed to it by anyone else. */
void ss_app_macsec_tx(struct ss_app *app, struct ss_worker *w, uint8_t p,
	struct rte_mbuf **m, uint16_t n);
/* The owner's own work on a burst of port p: validate (returns the
 * frames left, plain, in m[]; MKPDUs punted, refused frames freed), and
 * protect + buffer for TX. */
uint16_t ss_app_macsec_validate(struct ss_app *app, struct ss_worker *w,
	uint8_t p, struct rte_mbuf **m, uint16_t n);
void ss_app_macsec_protect_tx(struct ss_app *app, struct ss_worker *w,
	uint8_t p, struct rte_mbuf **m, uint16_t n);
/* Once per poll while w->msec_hold: held frames of a port whose first
 * SAK is in use go out, in order; frames held too long are dropped
 * (counted). Returns the frames done. */
uint32_t ss_app_macsec_hold_poll(struct ss_app *app, struct ss_worker *w);
/* Control lcore: a frame received on its queue of MACsec port p, or to
 * be sent by it (not an MKPDU): to the owner. */
void ss_app_macsec_ctl_handoff(struct ss_app *app, uint8_t p,
	struct rte_mbuf *m, uint32_t kind);

#endif /* SS_APP_MACSEC_H */
