/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 shardsec authors
 */

/* Shell commands that add and remove servers at run time (server.c). */

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "ss_app.h"
#include "ss_shell.h"

struct cmd_server_result {
	cmdline_fixed_string_t server;
	cmdline_fixed_string_t verb;
	uint16_t id;
	uint32_t lcore;
};

static void
cmd_server_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_server_result *r = parsed;
	char err[256];
	int ret;

	if (data != NULL) {
		ret = ss_app_server_add(&ss_app, r->id, r->lcore, err,
			sizeof(err));
		if (ret < 0)
			ss_shell_fail(cl, "%s", err);
		else
			cmdline_printf(cl, "server id %u added on lcore %u\n",
				r->id, r->lcore);
		return;
	}
	ret = ss_app_server_del(&ss_app, r->id, err, sizeof(err));
	if (ret < 0)
		ss_shell_fail(cl, "%s", err);
	else
		cmdline_printf(cl, "server id %u removed (%d SAs deleted)\n",
			r->id, ret);
}

static cmdline_parse_token_string_t cmd_server_server =
	TOKEN_STRING_INITIALIZER(struct cmd_server_result, server, "server");
static cmdline_parse_token_string_t cmd_server_add =
	TOKEN_STRING_INITIALIZER(struct cmd_server_result, verb, "add");
static cmdline_parse_token_string_t cmd_server_del =
	TOKEN_STRING_INITIALIZER(struct cmd_server_result, verb, "del");
static cmdline_parse_token_num_t cmd_server_id =
	TOKEN_NUM_INITIALIZER(struct cmd_server_result, id, RTE_UINT16);
static cmdline_parse_token_num_t cmd_server_lcore =
	TOKEN_NUM_INITIALIZER(struct cmd_server_result, lcore, RTE_UINT32);

cmdline_parse_inst_t ss_cmd_server_add = {
	.f = cmd_server_parsed,
	.data = (void *)1,
	.help_str = "server add <id> <lcore>: add a server with a free "
		"instance-id on a worker lcore; one Child SA pair is made for "
		"it on every IKE tunnel",
	.tokens = {
		(void *)&cmd_server_server,
		(void *)&cmd_server_add,
		(void *)&cmd_server_id,
		(void *)&cmd_server_lcore,
		NULL,
	},
};

cmdline_parse_inst_t ss_cmd_server_del = {
	.f = cmd_server_parsed,
	.data = NULL,
	.help_str = "server del <id>: remove a server and delete its SAs "
		"(INFORMATIONAL Delete to the IKE peers)",
	.tokens = {
		(void *)&cmd_server_server,
		(void *)&cmd_server_del,
		(void *)&cmd_server_id,
		NULL,
	},
};
