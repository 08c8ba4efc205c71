/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

#ifndef SS_SHELL_TOKEN_H
#define SS_SHELL_TOKEN_H

/*
 * A dynamic-choice rte_cmdline token: one word whose valid values come
 * from the live state (port ids, SPIs, IKE peers...). TAB completes the
 * current values; parsing accepts a listed value, or a word the optional
 * check callback accepts, and otherwise records a precise error
 * ("no port 7 (ports: 0,1)") that the shell prints instead of the
 * generic "bad arguments". The parsed word is stored as a
 * cmdline_fixed_string_t.
 */

#include <stddef.h>

#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

/* Write the idx-th current value into buf (NUL-terminated); 0, or
 * -ENOENT past the last one. */
typedef int (*ss_shell_token_list_fn)(unsigned int idx, char *buf,
	size_t len, const void *arg);

/* Accept a word that is not listed (an address, an SPI spelt
 * differently): 0, or a negative errno with a reason written to err. */
typedef int (*ss_shell_token_check_fn)(const char *word, char *err,
	size_t len, const void *arg);

struct ss_shell_token_choice_data {
	const char *what;	/* "port": for errors and help */
	const char *plural;	/* "ports" */
	const char *fixed;	/* words always valid: "all#json", or NULL */
	ss_shell_token_list_fn list;
	ss_shell_token_check_fn check;	/* may be NULL */
	const void *arg;
};

struct ss_shell_token_choice {
	struct cmdline_token_hdr hdr;
	struct ss_shell_token_choice_data data;
};

extern struct cmdline_token_ops ss_shell_token_choice_ops;

#define SS_SHELL_TOKEN_CHOICE(structure, field, what_, plural_, fixed_, \
		list_, check_, arg_) \
{ \
	.hdr = { \
		.ops = &ss_shell_token_choice_ops, \
		.offset = offsetof(structure, field), \
	}, \
	.data = { \
		.what = (what_), \
		.plural = (plural_), \
		.fixed = (fixed_), \
		.list = (list_), \
		.check = (check_), \
		.arg = (arg_), \
	}, \
}

int
ss_shell_token_choice_parse(cmdline_parse_token_hdr_t *tk, const char *buf,
	void *res, unsigned int ressize);
int
ss_shell_token_choice_get_nb(cmdline_parse_token_hdr_t *tk);
int
ss_shell_token_choice_get_elt(cmdline_parse_token_hdr_t *tk, int idx,
	char *dst, unsigned int size);
int
ss_shell_token_choice_get_help(cmdline_parse_token_hdr_t *tk, char *dst,
	unsigned int size);

/* "a,b,c" of the token's current values (fixed words first), "none"
 * when there is none. */
void
ss_shell_token_choice_join(const struct ss_shell_token_choice_data *d,
	char *buf, size_t len);

/*
 * The error of the failed token that got furthest into the line, since
 * the last reset. A token records one when a word fails to parse;
 * shell lines call reset before cmdline_parse and, when the line did
 * not parse, print it. Returns NULL when no token recorded one; *pos gets
 * the token's start in the parsed buffer.
 */
void
ss_shell_token_error_reset(void);
const char *
ss_shell_token_error(const char **pos);

#endif /* SS_SHELL_TOKEN_H */
