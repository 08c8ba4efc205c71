/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Port bring-up: probe each configured device, give it one queue pair per
 * worker plus one for the control lcore, and start it. */

#include <errno.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "ss_app.h"

#define APP_LOG(l, ...) rte_log(RTE_LOG_ ## l, RTE_LOGTYPE_USER1, \
	"shardsec: " __VA_ARGS__)
/* A port's trouble names where the port is configured. */
#define PORT_LOG(l, app, cp, fmt, ...) APP_LOG(l, "%s:%u: port %s: " fmt, \
	(app)->cfg.source, (cp)->line, (cp)->name, ##__VA_ARGS__)

int
ss_app_port_index(const struct ss_app *app, uint16_t port_id)
{
	uint16_t i;

	for (i = 0; i < app->nb_ports; i++)
		if (app->port_id[i] == port_id)
			return i;
	return -1;
}

/* "net_af_packet0,iface=x" -> "net_af_packet0" */
static void
device_name(const char *devargs, char *name, size_t len)
{
	size_t n = strcspn(devargs, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, devargs, n);
	name[n] = '\0';
}

static int
port_find_or_probe(const struct ss_app *app, const struct ss_cfg_port *cp,
	uint16_t *port_id)
{
	char name[SS_CFG_DEVARGS_LEN];
	int ret;

	device_name(cp->device, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;	/* given on the EAL command line already */
	ret = rte_dev_probe(cp->device);
	if (ret < 0 && ret != -EEXIST) {
		PORT_LOG(ERR, app, cp, "cannot probe device '%s': %s\n",
			cp->device, rte_strerror(-ret));
		return ret;
	}
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		PORT_LOG(ERR, app, cp, "device '%s' is not an ethernet "
			"port\n", name);
		return -ENODEV;
	}
	return 0;
}

static int
port_setup(struct ss_app *app, uint8_t idx)
{
	const struct ss_cfg_port *cp = &app->cfg.ports[idx];
	const uint16_t nq = app->nb_workers + 1;
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t port_id, q, rxd, txd;
	int socket, ret;

	ret = port_find_or_probe(app, cp, &port_id);
	if (ret < 0)
		return ret;
	app->port_id[idx] = port_id;
	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret < 0) {
		PORT_LOG(ERR, app, cp, "cannot get device info: %s\n",
			rte_strerror(-ret));
		return ret;
	}
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		PORT_LOG(ERR, app, cp, "device %s has %u rx / %u tx queues, "
			"%u are needed (%u workers + control)%s\n",
			info.driver_name, info.max_rx_queues,
			info.max_tx_queues, nq, app->nb_workers,
			strstr(info.driver_name, "af_packet") != NULL ?
			": add qpairs=N to the af_packet device" : "");
		return -EINVAL;
	}

	/* ethdev's own test, said in the config's words (its frame size
	 * counts the Ethernet header and CRC) */
	if (cp->mtu > info.max_mtu || (uint32_t)cp->mtu + RTE_ETHER_HDR_LEN +
			RTE_ETHER_CRC_LEN > info.max_rx_pktlen) {
		PORT_LOG(ERR, app, cp, "mtu %u is above what device %s takes "
			"(%u)\n", cp->mtu, info.driver_name,
			RTE_MIN((uint32_t)info.max_mtu, info.max_rx_pktlen -
				RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN));
		return -EINVAL;
	}
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = cp->mtu;
	if (info.flow_type_rss_offloads != 0 && app->nb_workers > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
	}
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/* A NIC that does inline IPsec does it only with these on. */
	if (app->sacfg.inline_on && !app->sacfg.inline_software &&
			app->sacfg.inline_port == idx) {
		if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SECURITY) == 0 ||
				(info.tx_offload_capa &
				RTE_ETH_TX_OFFLOAD_SECURITY) == 0) {
			PORT_LOG(ERR, app, cp, "device %s has no inline IPsec "
				"offload (rx/tx SECURITY); set "
				"ipsec.inline.software = true for the "
				"software inline NIC\n",
				info.driver_name);
			return -ENOTSUP;
		}
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SECURITY;
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_SECURITY;
	}

	ret = rte_eth_dev_configure(port_id, nq, nq, &conf);
	if (ret < 0) {
		PORT_LOG(ERR, app, cp, "configure failed: %s\n",
			rte_strerror(-ret));
		return ret;
	}
	rxd = cp->rx_desc != 0 ? cp->rx_desc : 1024;
	txd = cp->tx_desc != 0 ? cp->tx_desc : 1024;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rxd, &txd);
	if (ret < 0)
		return ret;
	socket = rte_eth_dev_socket_id(port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (q = 0; q < nq; q++) {
		ret = rte_eth_rx_queue_setup(port_id, q, rxd, socket, NULL,
			app->pool);
		if (ret < 0) {
			PORT_LOG(ERR, app, cp, "rx queue %u: %s\n",
				q, rte_strerror(-ret));
			return ret;
		}
		ret = rte_eth_tx_queue_setup(port_id, q, txd, socket, NULL);
		if (ret < 0) {
			PORT_LOG(ERR, app, cp, "tx queue %u: %s\n",
				q, rte_strerror(-ret));
			return ret;
		}
	}
	if (cp->has_mac) {
		ret = rte_eth_dev_default_mac_addr_set(port_id,
			(struct rte_ether_addr *)(uintptr_t)&cp->mac);
		if (ret < 0)
			PORT_LOG(WARNING, app, cp, "cannot set MAC: %s\n",
				rte_strerror(-ret));
	}
	ret = rte_eth_dev_set_mtu(port_id, cp->mtu);
	if (ret < 0 && ret != -ENOTSUP)
		PORT_LOG(WARNING, app, cp, "cannot set MTU %u: %s\n",
			cp->mtu, rte_strerror(-ret));
	ret = rte_eth_dev_start(port_id);
	if (ret < 0) {
		PORT_LOG(ERR, app, cp, "start failed: %s\n",
			rte_strerror(-ret));
		return ret;
	}
	app->port_started[idx] = true;
	if (cp->promiscuous)
		rte_eth_promiscuous_enable(port_id);
	rte_eth_macaddr_get(port_id, &app->port_mac[idx]);

	/* Keep the control queue out of RSS where the NIC lets us: it is for
	 * the control lcore's transmissions, not for load. */
	if (conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS && info.reta_size > 0 &&
			info.reta_size <= RTE_ETH_RSS_RETA_SIZE_512) {
		struct rte_eth_rss_reta_entry64
			reta[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE];
		uint16_t i;

		memset(reta, 0, sizeof(reta));
		for (i = 0; i < info.reta_size; i++) {
			reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |=
				1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
			reta[i / RTE_ETH_RETA_GROUP_SIZE]
				.reta[i % RTE_ETH_RETA_GROUP_SIZE] =
				i % app->nb_workers;
		}
		if (rte_eth_dev_rss_reta_update(port_id, reta,
				info.reta_size) != 0)
			APP_LOG(INFO, "port %s: RETA not updatable; control "
				"queue also receives\n", cp->name);
	}
	APP_LOG(INFO, "port %s: port %u (%s) " RTE_ETHER_ADDR_PRT_FMT
		" mtu %u, %u queue pairs\n", cp->name, port_id,
		info.driver_name, RTE_ETHER_ADDR_BYTES(&app->port_mac[idx]),
		cp->mtu, nq);
	return 0;
}

int
ss_app_ports_init(struct ss_app *app)
{
	uint8_t i;
	int ret;

	app->nb_ports = app->cfg.nb_ports;
	for (i = 0; i < app->nb_ports; i++) {
		ret = port_setup(app, i);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void
ss_app_ports_fini(struct ss_app *app)
{
	uint16_t i;

	for (i = 0; i < app->nb_ports; i++) {
		struct rte_eth_dev_info info;
		struct rte_device *dev = NULL;
		uint16_t pid = app->port_id[i];

		if (!rte_eth_dev_is_valid_port(pid))
			continue;
		if (rte_eth_dev_info_get(pid, &info) == 0)
			dev = info.device;
		if (app->port_started[i])
			rte_eth_dev_stop(pid);
		app->port_started[i] = false;
		rte_eth_dev_close(pid);
		if (dev != NULL)
			rte_dev_remove(dev);
	}
}
