/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_SHELL_H
#define SS_SHELL_H

/* Helpers shared by the shell's command files. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmdline;
struct rte_tel_data;
struct ss_app;

/* 'show stats' as a telemetry dict of sections (/shardsec/stats). */
int
ss_shell_stats_tel(struct rte_tel_data *d);

/* One line of 'help': the command's syntax and what it does. A group's
 * lines end with { NULL, NULL }. */
struct ss_shell_help {
	const char *cmd;
	const char *what;
};

/* The commands (NULL-terminated) and help lines of each command file,
 * gathered into groups by shell.c. */
struct cmdline_inst;
extern struct cmdline_inst *const ss_cmd_l3[];		/* shell_l3.c */
extern const struct ss_shell_help ss_help_l3[];
extern struct cmdline_inst *const ss_cmd_ipsec[];	/* shell_ipsec.c */
extern const struct ss_shell_help ss_help_ipsec[];
extern struct cmdline_inst *const ss_cmd_ike[];	/* shell_ike.c */
extern const struct ss_shell_help ss_help_ike[];
extern struct cmdline_inst *const ss_cmd_server[];	/* shell_server.c */
extern const struct ss_shell_help ss_help_server[];
extern struct cmdline_inst *const ss_cmd_log[];		/* shell_log.c */
extern const struct ss_shell_help ss_help_log[];
extern struct cmdline_inst *const ss_cmd_gen[];	/* shell_gen.c */
extern const struct ss_shell_help ss_help_gen[];
extern struct cmdline_inst *const ss_cmd_runtime[];	/* shell_runtime.c */
extern const struct ss_shell_help ss_help_runtime[];
extern struct cmdline_inst *const ss_cmd_hold[];	/* shell_hold.c */
extern const struct ss_shell_help ss_help_hold[];
extern struct cmdline_inst *const ss_cmd_macsec[];	/* shell_macsec.c */
extern const struct ss_shell_help ss_help_macsec[];
extern struct cmdline_inst *const ss_cmd_lb[];		/* shell_lb.c */
extern const struct ss_shell_help ss_help_lb[];

/* 'show ... json' or the table. */
#define SS_SHELL_JSON ((void *)(uintptr_t)1)

/* Print "error: ..." and mark the current command as failed. */
void ss_shell_fail(struct cmdline *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A port given as index or name; fails the command when unknown. */
int ss_shell_port_arg(struct cmdline *cl, const char *arg, uint8_t *port);

/*
 * Live values for the choice tokens (ss_shell_token.h), shell_args.c.
 * list: the idx-th value, -ENOENT past the end. check: accept a word that
 * is not listed as is, or write why not.
 */
/* port ids, then port names */
int ss_shell_list_ports(unsigned int idx, char *buf, size_t len,
	const void *arg);
/* server instance-ids */
int ss_shell_list_servers(unsigned int idx, char *buf, size_t len,
	const void *arg);
/* index into cfg.servers of an instance-id word, or -ENOENT */
int ss_shell_server_index(const char *id);
/* SPIs as 0x%08x; arg: SS_SHELL_SPI_ANY, _IN or _OUT */
#define SS_SHELL_SPI_ANY ((const void *)(uintptr_t)0)
#define SS_SHELL_SPI_IN ((const void *)(uintptr_t)(SS_SA_DIR_IN + 1))
#define SS_SHELL_SPI_OUT ((const void *)(uintptr_t)(SS_SA_DIR_OUT + 1))
int ss_shell_list_spis(unsigned int idx, char *buf, size_t len,
	const void *arg);
/* any spelling of an existing SPI of that direction (hex, 0x optional) */
int ss_shell_check_spi(const char *word, char *err, size_t len,
	const void *arg);
int ss_shell_spi_parse(const char *word, uint32_t *spi);
/* neighbour addresses */
int ss_shell_list_neigh(unsigned int idx, char *buf, size_t len,
	const void *arg);
/* an address in the neighbour table, any spelling */
int ss_shell_check_neigh(const char *word, char *err, size_t len,
	const void *arg);
/* any well-formed IPv4 or IPv6 address */
int ss_shell_check_addr(const char *word, char *err, size_t len,
	const void *arg);

/* --cmdline-file: open, then run one line per control-loop turn. */
int ss_shell_script_open(struct ss_app *app, const char *path);
bool ss_shell_script_step(struct ss_app *app);
unsigned int ss_shell_script_errors(void);

#endif
