/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* The swnic back-end: lib/esp's own ESP framing and intel-ipsec-mb
 * engine, with the crypto state taken from the NIC's key table instead
 * of made from the SA's key in the worker's memory. Creating an SA puts
 * its key in the NIC's mailbox and pauses it; the completion resumes it.
 * The cookie of a request is the SA itself: it lives until the SA's
 * session is destroyed, which erases the slot (and any completion of it
 * not yet read) on this same lcore first. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "ss_crypto.h"
#include "ss_esp.h"
#include "ss_esp_mb.h"
#include "ss_swnic_esp.h"

RTE_LOG_REGISTER(ss_swnic_logtype, shardsec.swnic, INFO);
#define SWNIC_LOG(l, ...) rte_log(RTE_LOG_ ## l, ss_swnic_logtype, \
	"swnic: " __VA_ARGS__)

#define SERVICE_BURST 32

static struct ss_swnic *dev;
static struct ss_swnic_esp_stats est;

static const struct ss_swnic_ops mb_ops = {
	.state_make = ss_esp_mb_state_make,
	.state_free = ss_esp_mb_state_free,
};

static int
swnic_session_create(struct ss_esp_sa *esa, const struct ss_sa *sa,
	struct rte_crypto_sym_xform *xf, char *err, size_t len)
{
	const uint64_t now = rte_get_timer_cycles();
	const uint8_t *key;
	uint8_t klen;
	int slot;

	RTE_SET_USED(xf);
	if (dev == NULL) {
		snprintf(err, len, "back-end 'swnic': no software NIC (the "
			"ipsec.swnic settings start it)");
		return -ENOTSUP;
	}
	key = ss_sa_key(sa, &klen);
	slot = ss_swnic_store(dev, sa, key, klen, (uint64_t)(uintptr_t)sa,
		now);
	if (slot < 0) {
		snprintf(err, len, "swnic: %s", slot == -ENOSPC ?
			"key table full" : "key refused by the mailbox");
		return slot;
	}
	esa->offload_slot = (uint32_t)slot;
	esa->be_priv = NULL;
	esa->pause_tsc = now;
	esa->paused = 1;
	esa->cs = dev;		/* "has a session" for the common code */
	SWNIC_LOG(DEBUG, "SA 0x%08x %s: key pushed to slot %d, paused\n",
		sa->spi, sa->dir == SS_SA_DIR_IN ? "in" : "out", slot);
	return 0;
}

static void
swnic_session_destroy(struct ss_esp_sa *esa)
{
	if (dev != NULL && esa->cs == dev)
		ss_swnic_erase(dev, esa->offload_slot);
	esa->be_priv = NULL;
	esa->cs = NULL;
}

static const struct ss_crypto_backend swnic_backend = {
	.name = "swnic",
	.session_create = swnic_session_create,
	.session_destroy = swnic_session_destroy,
	.own_esp = true,
};

int
ss_swnic_esp_init(uint32_t slots, uint32_t latency_us, int socket)
{
	struct ss_swnic_conf c = {
		.slots = slots,
		.latency_us = latency_us,
		.socket = socket,
		.ops = &mb_ops,
	};
	int ret;

	if (dev != NULL)
		return -EALREADY;
	dev = ss_swnic_create(&c);
	if (dev == NULL)
		return -rte_errno;
	ret = ss_crypto_backend_register(SS_SA_BACKEND_SWNIC, &swnic_backend);
	if (ret < 0) {
		ss_swnic_free(dev);
		dev = NULL;
		return ret;
	}
	memset(&est, 0, sizeof(est));
	SWNIC_LOG(INFO, "software inline NIC: %u key slots, %u us to store "
		"a key\n", slots, latency_us);
	return 0;
}

void
ss_swnic_esp_fini(void)
{
	ss_swnic_free(dev);
	dev = NULL;
}

struct ss_swnic *
ss_swnic_esp_dev(void)
{
	return dev;
}

static void
completion(const struct ss_swnic_completion *c)
{
	struct ss_sa *sa = (struct ss_sa *)(uintptr_t)c->cookie;
	const double hz = (double)rte_get_timer_hz();
	uint64_t paused;

	if (c->status != 0) {
		est.refused++;
		SWNIC_LOG(ERR, "SA 0x%08x %s: the NIC refused the key (slot "
			"%u): %s; the SA stays paused, its packets are held "
			"until they time out\n", sa->spi,
			sa->dir == SS_SA_DIR_IN ? "in" : "out", c->slot,
			strerror(-c->status));
		return;
	}
	paused = ss_esp_sa_resume(sa, ss_swnic_state(dev, c->slot));
	est.resumed++;
	if (est.resumed == 1 || paused < est.pause_min_tsc)
		est.pause_min_tsc = paused;
	if (paused > est.pause_max_tsc)
		est.pause_max_tsc = paused;
	est.pause_sum_tsc += paused;
	SWNIC_LOG(INFO, "SA 0x%08x %s: key stored in slot %u after %.3f ms; "
		"resumed after %.3f ms paused\n", sa->spi,
		sa->dir == SS_SA_DIR_IN ? "in" : "out", c->slot,
		(double)c->wait_tsc * 1e3 / hz, (double)paused * 1e3 / hz);
}

unsigned int
ss_swnic_esp_service(uint64_t now_tsc)
{
	struct ss_swnic_completion c[SERVICE_BURST];
	unsigned int n, i, total = 0;

	if (dev == NULL)
		return 0;
	ss_swnic_poll(dev, now_tsc);
	do {
		n = ss_swnic_completions(dev, c, SERVICE_BURST);
		for (i = 0; i < n; i++)
			completion(&c[i]);
		total += n;
	} while (n == SERVICE_BURST);
	return total;
}

void
ss_swnic_esp_stats_get(struct ss_swnic_esp_stats *st)
{
	*st = est;
}
