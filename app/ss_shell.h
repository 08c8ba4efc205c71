/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_SHELL_H
#define SS_SHELL_H

/* Helpers shared by the shell's command files. */

#include <stdint.h>

struct cmdline;
struct ss_app;

/* Print "error: ..." and mark the current command as failed. */
void ss_shell_fail(struct cmdline *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A port given as index or name; fails the command when unknown. */
int ss_shell_port_arg(struct cmdline *cl, const char *arg, uint8_t *port);

/* --cmdline-file: open, then run one line per control-loop turn. */
int ss_shell_script_open(struct ss_app *app, const char *path);
bool ss_shell_script_step(struct ss_app *app);
unsigned int ss_shell_script_errors(void);

#endif
