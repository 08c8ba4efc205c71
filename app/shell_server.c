/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell commands that add and remove servers at run time (server.c). */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "ss_app.h"
#include "ss_shell.h"
#include "ss_shell_token.h"

struct cmd_server_add_result {
	cmdline_fixed_string_t server;
	cmdline_fixed_string_t verb;
	uint16_t id;
	uint32_t lcore;
};

struct cmd_server_del_result {
	cmdline_fixed_string_t server;
	cmdline_fixed_string_t verb;
	cmdline_fixed_string_t id;
};

static void
cmd_server_add_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_server_add_result *r = parsed;
	char err[256];

	RTE_SET_USED(data);
	if (ss_app_server_add(&ss_app, r->id, r->lcore, err, sizeof(err)) < 0)
		ss_shell_fail(cl, "%s", err);
	else
		cmdline_printf(cl, "server id %u added on lcore %u\n", r->id,
			r->lcore);
}

static void
cmd_server_del_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_server_del_result *r = parsed;
	char err[256];
	long id;
	int ret;

	RTE_SET_USED(data);
	id = strtol(r->id, NULL, 10);
	ret = ss_app_server_del(&ss_app, (uint16_t)id, err, sizeof(err));
	if (ret < 0)
		ss_shell_fail(cl, "%s", err);
	else
		cmdline_printf(cl, "server id %ld removed (%d SAs deleted)\n",
			id, ret);
}

/* Any instance-id number: server.c says why an unknown one is refused. */
static int
check_id(const char *word, char *err, size_t len, const void *arg)
{
	const char *p;

	RTE_SET_USED(arg);
	for (p = word; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			break;
	if (p == word || *p != '\0' || p - word > 5) {
		snprintf(err, len, "malformed instance-id '%s'", word);
		return -EINVAL;
	}
	return 0;
}

static cmdline_parse_token_string_t cmd_server_add_server =
	TOKEN_STRING_INITIALIZER(struct cmd_server_add_result, server,
		"server");
static cmdline_parse_token_string_t cmd_server_add_verb =
	TOKEN_STRING_INITIALIZER(struct cmd_server_add_result, verb, "add");
static cmdline_parse_token_num_t cmd_server_add_id =
	TOKEN_NUM_INITIALIZER(struct cmd_server_add_result, id, RTE_UINT16);
static cmdline_parse_token_num_t cmd_server_add_lcore =
	TOKEN_NUM_INITIALIZER(struct cmd_server_add_result, lcore,
		RTE_UINT32);

static cmdline_parse_inst_t cmd_server_add = {
	.f = cmd_server_add_parsed,
	.data = NULL,
	.help_str = "server add <id> <lcore>: add a server with a free "
		"instance-id on a worker lcore; one Child SA pair is made for "
		"it on every IKE tunnel",
	.tokens = {
		(void *)&cmd_server_add_server,
		(void *)&cmd_server_add_verb,
		(void *)&cmd_server_add_id,
		(void *)&cmd_server_add_lcore,
		NULL,
	},
};

static cmdline_parse_token_string_t cmd_server_del_server =
	TOKEN_STRING_INITIALIZER(struct cmd_server_del_result, server,
		"server");
static cmdline_parse_token_string_t cmd_server_del_verb =
	TOKEN_STRING_INITIALIZER(struct cmd_server_del_result, verb, "del");
static struct ss_shell_token_choice cmd_server_del_id =
	SS_SHELL_TOKEN_CHOICE(struct cmd_server_del_result, id, "server",
		"servers", NULL, ss_shell_list_servers, check_id, NULL);

static cmdline_parse_inst_t cmd_server_del = {
	.f = cmd_server_del_parsed,
	.data = NULL,
	.help_str = "server del <id>: remove a server and delete its SAs "
		"(INFORMATIONAL Delete to the IKE peers)",
	.tokens = {
		(void *)&cmd_server_del_server,
		(void *)&cmd_server_del_verb,
		(void *)&cmd_server_del_id,
		NULL,
	},
};

cmdline_parse_inst_t *const ss_cmd_server[] = {
	&cmd_server_add,
	&cmd_server_del,
	NULL,
};

const struct ss_shell_help ss_help_server[] = {
	{ "server add <id> <lcore>", "add a server on a running worker "
		"lcore (one more pair on every IKE tunnel)" },
	{ "server del <id>", "remove a server, delete its SAs (IKE peers "
		"told)" },
	{ NULL, NULL },
};
