/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/*
 * Standalone IKEv2 peer: lib/ike over kernel UDP sockets (500 and 4500),
 * for interoperability tests against strongSwan. It negotiates and prints
 * the Child SAs it would install (SPIs, server ids, algorithms; never
 * keys) and exits on a condition. No ESP is forwarded.
 *
 *   ss_ike_peer --config FILE [--initiate PEER] [--expect-children N]
 *       [--expect-auth-failed] [--expect-dead] [--timeout S] [--linger S]
 *       [--rekey-child-at S] [--rekey-ike-at S] [--terminate-at S]
 *       [--server-add-at S:ID] [--server-del-at S:ID]
 *
 * Exit status 0 when the expected condition was met, 1 otherwise.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ss_config.h"
#include "ss_ike.h"

#define MAX_SOCKS 16

struct sock {
	int fd;
	struct ss_ike_addr addr;
};

static struct sock socks[MAX_SOCKS];
static unsigned int nb_socks;
static volatile sig_atomic_t stop;
static uint64_t t0;
static unsigned int installed;
static uint64_t all_installed_ms;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
to_sockaddr(const struct ss_ike_addr *a, struct sockaddr_storage *ss,
	socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->ip.family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(a->port);
		s->sin_addr.s_addr = a->ip.v4;
		*len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(a->port);
		memcpy(&s->sin6_addr, a->ip.v6, 16);
		*len = sizeof(*s);
	}
}

static void
from_sockaddr(const struct sockaddr_storage *ss, struct ss_ike_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;

		a->ip.family = AF_INET;
		a->ip.v4 = s->sin_addr.s_addr;
		a->port = ntohs(s->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;

		a->ip.family = AF_INET6;
		memcpy(a->ip.v6, &s->sin6_addr, 16);
		a->port = ntohs(s->sin6_port);
	}
}

static const char *
addr_str(const struct ss_ike_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN + 4];

	snprintf(buf, len, "%s[%u]", ss_ipaddr_str(&a->ip, ip, sizeof(ip)),
		a->port);
	return buf;
}

static int
open_sock(const struct ss_ipaddr *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	struct ss_ike_addr a = { .ip = *ip, .port = port };
	socklen_t len;
	unsigned int i;
	int fd, one = 1;

	for (i = 0; i < nb_socks; i++)
		if (ss_ipaddr_equal(&socks[i].addr.ip, ip) &&
			socks[i].addr.port == port)
			return 0;
	if (nb_socks >= MAX_SOCKS)
		return -ENOSPC;
	fd = socket(ip->family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	to_sockaddr(&a, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	socks[nb_socks].fd = fd;
	socks[nb_socks].addr = a;
	nb_socks++;
	return 0;
}

static int
cb_send(void *ctx, const struct ss_ike_addr *local,
	const struct ss_ike_addr *remote, const uint8_t *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned int i;

	(void)ctx;
	for (i = 0; i < nb_socks; i++) {
		if (!ss_ipaddr_equal(&socks[i].addr.ip, &local->ip) ||
			socks[i].addr.port != local->port)
			continue;
		to_sockaddr(remote, &ss, &sl);
		if (sendto(socks[i].fd, buf, len, 0, (struct sockaddr *)&ss,
			sl) < 0)
			return -errno;
		return 0;
	}
	return -ENOENT;
}

static const char *
ts_str(const struct ss_ike_ts *t, uint8_t n, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
		int fam = t[i].family;

		inet_ntop(fam, t[i].lo, lo, sizeof(lo));
		inet_ntop(fam, t[i].hi, hi, sizeof(hi));
		off += snprintf(buf + off, len - off, "%s%s-%s", i ? "," : "",
			lo, hi);
	}
	return buf;
}

static int
cb_install(void *ctx, const struct ss_ike_child_sa *in,
	const struct ss_ike_child_sa *out)
{
	char a[128], b[128], t1[256], t2[256];

	(void)ctx;
	installed++;
	printf("CHILD_INSTALL t=%" PRIu64 " peer=%s child=%s server=%u "
		"in=%08x out=%08x encr=%s integ=%u esn=%d encap=%d mode=%s "
		"src=%s dst=%s local_ts=%s remote_ts=%s replaces=%08x\n",
		now_ms() - t0, out->peer, out->child, in->server_id, in->spi,
		out->spi, ss_ike_encr_name(in->encr, in->encr_bits), in->integ,
		in->esn, in->encap, in->transport ? "transport" : "tunnel",
		addr_str(&out->src, a, sizeof(a)),
		addr_str(&out->dst, b, sizeof(b)),
		ts_str(out->src_ts, out->nb_src_ts, t1, sizeof(t1)),
		ts_str(out->dst_ts, out->nb_dst_ts, t2, sizeof(t2)),
		in->replaces_spi);
	return 0;
}

static int
cb_delete(void *ctx, uint32_t spi_in, uint32_t spi_out)
{
	(void)ctx;
	if (installed > 0)
		installed--;
	printf("CHILD_DELETE t=%" PRIu64 " in=%08x out=%08x\n",
		now_ms() - t0, spi_in, spi_out);
	return 0;
}

static void
cb_event(void *ctx, const char *msg)
{
	(void)ctx;
	printf("EVENT t=%" PRIu64 " %s\n", now_ms() - t0, msg);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
print_sa(const struct ss_ike_sa_info *i, void *arg)
{
	(void)arg;
	printf("IKE_SA peer=%s spi=%016" PRIx64 "_%016" PRIx64 " state=%s "
		"%s children=%u nat=%d\n", i->peer, i->spi_i, i->spi_r,
		i->state, i->initiator ? "initiator" : "responder",
		i->nb_children, i->nat);
}

static void
print_child(const struct ss_ike_child_info *c, void *arg)
{
	(void)arg;
	printf("CHILD_SA peer=%s child=%s server=%u in=%08x out=%08x "
		"state=%s %s%s\n", c->peer, c->child, c->server_id, c->spi_in,
		c->spi_out, c->state, ss_ike_encr_name(c->encr, c->encr_bits),
		c->esn ? "/esn" : "");
}

static void
print_final(struct ss_ike *ike)
{
	struct ss_ike_stats st;
	unsigned int i;

	ss_ike_walk_sas(ike, print_sa, NULL);
	ss_ike_walk_children(ike, print_child, NULL);
	ss_ike_get_stats(ike, &st);
	printf("STATS");
	for (i = 0; i < SS_IKE_CNT_MAX; i++)
		if (st.c[i])
			printf(" %s=%" PRIu64, ss_ike_counter_name(i), st.c[i]);
	printf("\n");
}

struct timed {
	double at;
	int what;		/* 0 rekey child, 1 rekey ike, 2 terminate,
				 * 3 server add, 4 server del */
	unsigned int id;
	bool done;
};

static void
usage(void)
{
	fprintf(stderr, "usage: ss_ike_peer --config FILE [--initiate PEER] "
		"[--expect-children N] [--expect-auth-failed] "
		"[--expect-dead] [--timeout S] [--linger S] "
		"[--rekey-child-at S] [--rekey-ike-at S] [--terminate-at S] "
		"[--server-add-at S:ID] [--server-del-at S:ID]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "initiate", required_argument, NULL, 'i' },
		{ "expect-children", required_argument, NULL, 'n' },
		{ "expect-auth-failed", no_argument, NULL, 'a' },
		{ "expect-dead", no_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "linger", required_argument, NULL, 'l' },
		{ "rekey-child-at", required_argument, NULL, 'R' },
		{ "rekey-ike-at", required_argument, NULL, 'K' },
		{ "terminate-at", required_argument, NULL, 'T' },
		{ "server-add-at", required_argument, NULL, 'A' },
		{ "server-del-at", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	static struct ss_ike_conf conf;
	static struct ss_config cfg;
	struct ss_cfg_error err;
	struct ss_ike_ops ops = {
		.send = cb_send,
		.child_install = cb_install,
		.child_delete = cb_delete,
		.event = cb_event,
	};
	struct timed tm[16];
	unsigned int nb_tm = 0, expect_children = 0, i;
	const char *config = NULL, *initiate = NULL;
	double timeout = 30, linger = 0;
	bool expect_auth_failed = false, expect_dead = false;
	uint64_t met_at = 0, deadline;
	struct ss_ike *ike;
	int c, rc = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'i':
			initiate = optarg;
			break;
		case 'n':
			expect_children = (unsigned int)atoi(optarg);
			break;
		case 'a':
			expect_auth_failed = true;
			break;
		case 'd':
			expect_dead = true;
			break;
		case 't':
			timeout = atof(optarg);
			break;
		case 'l':
			linger = atof(optarg);
			break;
		case 'R':
		case 'K':
		case 'T':
		case 'A':
		case 'D':
			if (nb_tm >= RTE_DIM(tm))
				usage();
			memset(&tm[nb_tm], 0, sizeof(tm[0]));
			tm[nb_tm].at = atof(optarg);
			tm[nb_tm].what = c == 'R' ? 0 : c == 'K' ? 1 :
				c == 'T' ? 2 : c == 'A' ? 3 : 4;
			if (c == 'A' || c == 'D') {
				const char *p = strchr(optarg, ':');

				if (p == NULL)
					usage();
				tm[nb_tm].id = (unsigned int)atoi(p + 1);
			}
			nb_tm++;
			break;
		default:
			usage();
		}
	}
	if (config == NULL)
		usage();
	if (ss_ike_cfg_register(&conf) < 0 ||
		ss_cfg_load(config, &cfg, &err) < 0) {
		fprintf(stderr, "config: %s\n", err.msg);
		return 2;
	}
	for (i = 0; i < conf.nb_peers; i++) {
		const struct ss_ike_peer_conf *p = &conf.peer[i];

		if (p->local.ip.family == 0) {
			fprintf(stderr, "peer %s: the driver needs local_addr\n",
				p->name);
			return 2;
		}
		if (open_sock(&p->local.ip, p->local.port ? p->local.port :
			SS_IKE_PORT) < 0 ||
			open_sock(&p->local.ip, SS_IKE_PORT_NATT) < 0) {
			fprintf(stderr, "peer %s: cannot bind: %s\n", p->name,
				strerror(errno));
			return 2;
		}
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	t0 = now_ms();
	ike = ss_ike_create(&conf, &ops, NULL);
	if (ike == NULL) {
		fprintf(stderr, "ss_ike_create: %s\n", strerror(errno));
		return 2;
	}
	for (i = 0; i < cfg.nb_servers; i++)
		ss_ike_server_add(ike, cfg.servers[i].id, t0);
	printf("READY servers=%u peers=%u\n", cfg.nb_servers, conf.nb_peers);
	if (initiate != NULL && ss_ike_initiate(ike, initiate, t0) < 0) {
		fprintf(stderr, "cannot initiate %s\n", initiate);
		return 2;
	}
	deadline = t0 + (uint64_t)(timeout * 1000);
	while (!stop) {
		struct pollfd pfd[MAX_SOCKS];
		struct ss_ike_stats st;
		uint64_t now;

		for (i = 0; i < nb_socks; i++) {
			pfd[i].fd = socks[i].fd;
			pfd[i].events = POLLIN;
		}
		poll(pfd, nb_socks, 20);
		now = now_ms();
		for (i = 0; i < nb_socks; i++) {
			uint8_t buf[9000];
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);
			struct ss_ike_addr from;
			ssize_t n;

			if (!(pfd[i].revents & POLLIN))
				continue;
			n = recvfrom(socks[i].fd, buf, sizeof(buf), 0,
				(struct sockaddr *)&ss, &sl);
			if (n <= 0)
				continue;
			from_sockaddr(&ss, &from);
			ss_ike_input(ike, &socks[i].addr, &from, buf,
				(size_t)n, now);
		}
		ss_ike_timer(ike, now);
		for (i = 0; i < nb_tm; i++) {
			const char *peer = initiate ? initiate :
				conf.peer[0].name;

			if (tm[i].done || now - t0 < tm[i].at * 1000)
				continue;
			tm[i].done = true;
			switch (tm[i].what) {
			case 0:
				ss_ike_rekey(ike, peer, true, now);
				break;
			case 1:
				ss_ike_rekey(ike, peer, false, now);
				break;
			case 2:
				ss_ike_terminate(ike, peer, now);
				break;
			case 3:
				ss_ike_server_add(ike, (uint16_t)tm[i].id,
					now);
				break;
			case 4:
				ss_ike_server_del(ike, (uint16_t)tm[i].id,
					now);
				break;
			}
		}
		ss_ike_get_stats(ike, &st);
		if (met_at == 0) {
			bool met = false;

			if (expect_auth_failed)
				met = st.c[SS_IKE_CNT_auth_failed] > 0 &&
					installed == 0 &&
					ss_ike_walk_sas(ike, NULL, NULL) == 0;
			else if (expect_dead)
				met = st.c[SS_IKE_CNT_dpd_dead] > 0 ||
					(st.c[SS_IKE_CNT_timeouts] > 0 &&
					 ss_ike_walk_sas(ike, NULL, NULL) == 0);
			else if (expect_children)
				met = installed >= expect_children;
			if (met) {
				met_at = now;
				if (expect_children && !expect_auth_failed)
					all_installed_ms = now - t0;
				printf("CONDITION_MET t=%" PRIu64 "\n",
					now - t0);
			}
		}
		if (met_at != 0 && now - met_at >= linger * 1000) {
			rc = 0;
			break;
		}
		if (now >= deadline) {
			if (met_at != 0 || (!expect_children &&
				!expect_auth_failed && !expect_dead))
				rc = 0;
			break;
		}
	}
	if (stop && met_at != 0)
		rc = 0;
	if (all_installed_ms)
		printf("ALL_CHILDREN_MS %" PRIu64 "\n", all_installed_ms);
	print_final(ike);
	printf("RESULT %s\n", rc == 0 ? "ok" : "fail");
	ss_ike_destroy(ike);
	ss_cfg_free(&cfg);
	for (i = 0; i < nb_socks; i++)
		close(socks[i].fd);
	return rc;
}
