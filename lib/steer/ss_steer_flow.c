/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_log.h>

#include "ss_steer.h"

extern int ss_steer_logtype;
#define SS_STEER_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, ss_steer_logtype, "steer: " fmt "\n", \
		##__VA_ARGS__)

enum flow_kind {
	FLOW_ESP,
	FLOW_GTPU,
	FLOW_SCTP,
	FLOW_KINDS
};

static const char *const flow_kind_name[FLOW_KINDS] = {
	"esp", "gtpu", "sctp"
};

/* Everything one rule points to; the pattern refers into it. */
struct flow_rule {
	struct rte_flow_item pattern[6];
	struct rte_flow_action actions[2];
	struct rte_flow_action_queue queue;
	struct rte_flow_item_esp esp_spec, esp_mask;
	struct rte_flow_item_udp udp_spec, udp_mask;
	struct rte_flow_item_gtp gtp_spec, gtp_mask;
	struct rte_flow_item_sctp sctp_spec, sctp_mask;
};

static void
flow_rule_fill(struct flow_rule *r, enum flow_kind k, int ipv6,
	uint32_t val, uint32_t mask, uint16_t queue)
{
	int i = 0;

	memset(r, 0, sizeof(*r));
	r->pattern[i++].type = RTE_FLOW_ITEM_TYPE_ETH;
	r->pattern[i++].type = ipv6 ? RTE_FLOW_ITEM_TYPE_IPV6 :
		RTE_FLOW_ITEM_TYPE_IPV4;
	switch (k) {
	case FLOW_ESP:
		r->esp_spec.hdr.spi = rte_cpu_to_be_32(val);
		r->esp_mask.hdr.spi = rte_cpu_to_be_32(mask);
		r->pattern[i].type = RTE_FLOW_ITEM_TYPE_ESP;
		r->pattern[i].spec = &r->esp_spec;
		r->pattern[i++].mask = &r->esp_mask;
		break;
	case FLOW_GTPU:
		r->udp_spec.hdr.dst_port = RTE_BE16(SS_STEER_UDP_GTPU);
		r->udp_mask.hdr.dst_port = RTE_BE16(0xffff);
		r->pattern[i].type = RTE_FLOW_ITEM_TYPE_UDP;
		r->pattern[i].spec = &r->udp_spec;
		r->pattern[i++].mask = &r->udp_mask;
		r->gtp_spec.msg_type = 0xff;
		r->gtp_mask.msg_type = 0xff;
		r->gtp_spec.teid = rte_cpu_to_be_32(val);
		r->gtp_mask.teid = rte_cpu_to_be_32(mask);
		r->pattern[i].type = RTE_FLOW_ITEM_TYPE_GTPU;
		r->pattern[i].spec = &r->gtp_spec;
		r->pattern[i++].mask = &r->gtp_mask;
		break;
	case FLOW_SCTP:
	default:
		r->sctp_spec.hdr.tag = rte_cpu_to_be_32(val);
		r->sctp_mask.hdr.tag = rte_cpu_to_be_32(mask);
		r->pattern[i].type = RTE_FLOW_ITEM_TYPE_SCTP;
		r->pattern[i].spec = &r->sctp_spec;
		r->pattern[i++].mask = &r->sctp_mask;
		break;
	}
	r->pattern[i].type = RTE_FLOW_ITEM_TYPE_END;
	r->queue.index = queue;
	r->actions[0].type = RTE_FLOW_ACTION_TYPE_QUEUE;
	r->actions[0].conf = &r->queue;
	r->actions[1].type = RTE_FLOW_ACTION_TYPE_END;
}

static const char *
flow_err_str(const struct rte_flow_error *e, int rc, char *buf, size_t len)
{
	const char *what = strerror(-rc);
	/* drivers often repeat strerror as the message */
	const int extra = e->message != NULL &&
		strcmp(e->message, what) != 0;

	snprintf(buf, len, "%s%s%s", what, extra ? ": " : "",
		extra ? e->message : "");
	return buf;
}

/*
 * All rules of one kind or none: a device that takes only some of them
 * would steer part of the ids in hardware and the rest nowhere.
 * Returns the number of rules made, or a negative errno with why filled.
 */
static int
flow_install_kind(uint16_t port_id, const struct ss_steer_ctx *ctx,
	const uint16_t queue_of_server[], enum flow_kind k, char *why,
	size_t wlen)
{
	const struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow *made[2 * SS_STEER_MAX_SERVERS];
	const uint32_t mask = ~(UINT32_MAX >> ctx->bits);
	struct rte_flow_error err;
	struct flow_rule r;
	int nb = 0, rc = 0, ipv6;
	uint16_t s;

	for (s = 0; s < ctx->nb_slots; s++) {
		const uint32_t val = (uint32_t)ctx->id_of_server[s] <<
			(32 - ctx->bits);

		if (ctx->id_of_server[s] == SS_STEER_OWNER_NONE)
			continue;
		for (ipv6 = 0; ipv6 <= 1; ipv6++) {
			flow_rule_fill(&r, k, ipv6, val, mask,
				queue_of_server[s]);
			memset(&err, 0, sizeof(err));
			rc = rte_flow_validate(port_id, &attr, r.pattern,
				r.actions, &err);
			if (rc != 0) {
				flow_err_str(&err, rc, why, wlen);
				goto undo;
			}
			made[nb] = rte_flow_create(port_id, &attr, r.pattern,
				r.actions, &err);
			if (made[nb] == NULL) {
				rc = -rte_errno;
				if (rc == 0)
					rc = -EIO;
				flow_err_str(&err, rc, why, wlen);
				goto undo;
			}
			nb++;
		}
	}
	return nb;
undo:
	while (nb > 0)
		rte_flow_destroy(port_id, made[--nb], &err);
	return rc < 0 ? rc : -EIO;
}

int
ss_steer_flow_install(uint16_t port_id, const struct ss_steer_ctx *ctx,
	const uint16_t queue_of_server[], char *report, size_t len)
{
	char why[160];
	size_t used = 0;
	int accepted = 0, k, rc;

	if (ctx == NULL || queue_of_server == NULL ||
			!rte_eth_dev_is_valid_port(port_id))
		return -EINVAL;
	if (report != NULL && len > 0)
		report[0] = '\0';
	for (k = 0; k < FLOW_KINDS; k++) {
		rc = flow_install_kind(port_id, ctx, queue_of_server, k, why,
			sizeof(why));
		if (rc >= 0) {
			accepted++;
			SS_STEER_LOG(INFO, "port %u: %s steering in NIC: "
				"%d rules", port_id, flow_kind_name[k], rc);
		} else {
			SS_STEER_LOG(INFO, "port %u: %s steering left to "
				"software: %s", port_id, flow_kind_name[k],
				why);
		}
		if (report != NULL && used < len) {
			int w;

			if (rc >= 0)
				w = snprintf(report + used, len - used,
					"%s%s: accepted (%d rules)",
					k ? "; " : "", flow_kind_name[k], rc);
			else
				w = snprintf(report + used, len - used,
					"%s%s: refused (%s)", k ? "; " : "",
					flow_kind_name[k], why);
			if (w > 0)
				used += (size_t)w;
		}
	}
	return accepted;
}

int
ss_steer_flow_flush(uint16_t port_id)
{
	struct rte_flow_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = rte_flow_flush(port_id, &err);
	/* Devices without rte_flow have nothing to flush. */
	if (rc == -ENOSYS || rc == -ENOTSUP)
		return 0;
	return rc;
}
