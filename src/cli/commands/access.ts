import type { Command } from "commander";
import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { passwordProblems } from "../../modules/access/passwords.js";
import { TokenRepository } from "../../modules/access/token-repository.js";
import { parseTokenRef, TokenService } from "../../modules/access/token-service.js";
import { UserRepository } from "../../modules/access/user-repository.js";
import { UserAdminService } from "../../modules/access/user-service.js";
import { AppError } from "../../shared/errors.js";
import { cliActor, withDatabase } from "../context.js";

/** Where a command's password comes from: typed twice at a terminal, or piped on stdin. */
export type PasswordSource = () => Promise<string>;

const users = (db: Kysely<DB>) => new UserAdminService(new UserRepository(db));
const tokens = (db: Kysely<DB>) => new TokenService(new TokenRepository(db));

export interface UserAddOptions {
  name: string;
  role: string[];
  scope: string[];
  mustChange?: boolean;
}

export async function userAdd(
  db: Kysely<DB>,
  username: string,
  opts: UserAddOptions,
  password: PasswordSource,
  log = console.log,
) {
  const u = await users(db).create(cliActor(), {
    username,
    displayName: opts.name,
    password: await password(),
    roles: opts.role,
    scopeCodes: opts.scope,
    mustChangePassword: opts.mustChange ?? false,
  });
  log(
    `已创建用户 ${u.username}（${u.displayName}），角色：${u.roles.join("、")}，数据范围：${scopeText(u.scope)}`,
  );
}

export async function userResetPassword(
  db: Kysely<DB>,
  username: string,
  password: PasswordSource,
  log = console.log,
) {
  const r = await users(db).resetPassword(cliActor(), username, await password());
  log(`已重置 ${username} 的密码并解除锁定；该用户下次登录后须修改密码；已结束 ${r.sessionsEnded} 个会话`);
}

export async function userSetDisabled(
  db: Kysely<DB>,
  username: string,
  disabled: boolean,
  log = console.log,
) {
  await users(db).setDisabled(cliActor(), username, disabled);
  log(disabled ? `已停用 ${username}，其所有会话已结束` : `已启用 ${username}`);
}

export async function userList(db: Kysely<DB>, opts: { q?: string }, log = console.log) {
  const svc = users(db);
  const actor = cliActor();
  log(["用户名", "显示名", "角色", "数据范围", "状态", "最近登录"].join("\t"));
  for (let page = 1; ; page++) {
    const r = await svc.list(actor, { q: opts.q }, { page, pageSize: 200 });
    for (const u of r.items) {
      const status = u.disabled ? "停用" : u.locked ? "锁定" : u.mustChangePassword ? "须改密码" : "正常";
      log(
        [u.username, u.displayName, u.roles.join(","), scopeText(u.scope), status, u.lastLoginAt ?? "-"].join(
          "\t",
        ),
      );
    }
    if (r.items.length < 200) break;
  }
}

export async function tokenCreate(
  db: Kysely<DB>,
  name: string,
  opts: { perm: string[]; scope: string[] },
  log = console.log,
) {
  const t = await tokens(db).create(cliActor(), { name, permissions: opts.perm, scopeCodes: opts.scope });
  log(
    `已创建接口令牌 #${t.id}「${t.name}」，权限：${t.permissions.join(",")}，数据范围：${scopeText(t.scope)}`,
  );
  log("令牌（只显示这一次，请立即妥善保存；系统只保存其哈希）：");
  log(t.token);
}

export async function tokenRevoke(db: Kysely<DB>, ref: string, log = console.log) {
  const t = await tokens(db).revoke(cliActor(), parseTokenRef(ref));
  log(`已吊销接口令牌 #${t.id}「${t.name}」(edu_${t.prefix}_…)`);
}

export async function tokenList(db: Kysely<DB>, log = console.log) {
  const svc = tokens(db);
  log(["编号", "名称", "前缀", "权限", "数据范围", "最近使用", "状态"].join("\t"));
  for (let page = 1; ; page++) {
    const r = await svc.list(cliActor(), { page, pageSize: 200 });
    for (const t of r.items)
      log(
        [
          t.id,
          t.name,
          t.prefix,
          t.permissions.join(","),
          scopeText(t.scope),
          t.lastUsedAt ?? "-",
          t.revoked ? "已吊销" : "有效",
        ].join("\t"),
      );
    if (r.items.length < 200) break;
  }
}

const scopeText = (scope: { code: string; name: string }[]) =>
  scope.map((s) => `${s.name}(${s.code})`).join("、");

/** The first line of stdin (for `--password-stdin`, e.g. from a secrets file or a pipe). */
export async function readPasswordFromStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let text = "";
  for await (const chunk of stdin) text += chunk.toString();
  const line = text.split(/\r?\n/)[0] ?? "";
  if (!line) throw new AppError("BAD_REQUEST", "标准输入中没有密码");
  return line;
}

/** Keystrokes that arrived after the end of the previous line (typed ahead or pasted). */
let typedAhead = "";

/** Reads a line at the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stdout.write(question);
    let value = "";
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      process.stdout.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    /** Consumes keystrokes; true when the line is complete. */
    const feed = (chunk: string): boolean => {
      for (let i = 0; i < chunk.length; i++) {
        const ch = chunk[i];
        if (ch === "\r" || ch === "\n") {
          typedAhead = chunk.slice(i + 1).replace(/^\n/, "");
          finish();
          return true;
        }
        if (ch === "\u0003") {
          finish(new AppError("BAD_REQUEST", "已取消"));
          return true;
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
      return false;
    };
    const onData = (chunk: string) => {
      feed(chunk);
    };
    stdin.setRawMode(true);
    stdin.setEncoding("utf8");
    stdin.on("data", onData);
    const pending = typedAhead;
    typedAhead = "";
    if (!feed(pending)) stdin.resume();
  });
}

/**
 * The password for `user add` / `user reset-password`: with --password-stdin the first line of
 * stdin; at a terminal, typed twice without echo and checked against the policy before any work.
 */
function passwordSource(username: string, fromStdin: boolean): PasswordSource {
  return async () => {
    if (fromStdin) return readPasswordFromStdin();
    if (!process.stdin.isTTY)
      throw new AppError("BAD_REQUEST", "请在终端中运行以输入密码，或使用 --password-stdin 从标准输入读取");
    for (;;) {
      const first = await promptHidden(`请输入 ${username} 的密码：`);
      const problems = passwordProblems(first, username);
      if (problems.length) {
        console.error(`密码不符合要求：${problems.join("；")}`);
        continue;
      }
      if ((await promptHidden("请再输入一次：")) === first) return first;
      console.error("两次输入的密码不一致，请重新输入");
    }
  };
}

/** `user …` and `token …`: account and API-token administration from the shell. */
export function registerAccessCommands(program: Command) {
  const user = program.command("user").description("用户管理 (users)");
  user
    .command("add <username>")
    .description("新建用户；在终端中输入两次密码，或用 --password-stdin（创建第一个管理员的方式）")
    .requiredOption("--name <显示名>", "显示名")
    .requiredOption("--role <code...>", "角色代码，可多个 (city_admin, county_admin, school_admin …)")
    .requiredOption("--scope <orgCode...>", "数据范围：组织机构代码，可多个 (141100 = 全市)")
    .option("--password-stdin", "从标准输入的第一行读取密码")
    .option("--must-change", "要求首次登录后修改密码")
    .action((username: string, o: UserAddOptions & { passwordStdin?: boolean }) =>
      withDatabase((d) => userAdd(d.db, username, o, passwordSource(username, !!o.passwordStdin))),
    );
  user
    .command("reset-password <username>")
    .description("重置密码（临时密码，须在登录后修改）；同时解除锁定并结束其所有会话")
    .option("--password-stdin", "从标准输入的第一行读取密码")
    .action((username: string, o: { passwordStdin?: boolean }) =>
      withDatabase((d) => userResetPassword(d.db, username, passwordSource(username, !!o.passwordStdin))),
    );
  user
    .command("disable <username>")
    .description("停用用户并结束其所有会话")
    .action((username: string) => withDatabase((d) => userSetDisabled(d.db, username, true)));
  user
    .command("enable <username>")
    .description("启用用户")
    .action((username: string) => withDatabase((d) => userSetDisabled(d.db, username, false)));
  user
    .command("list")
    .description("列出用户")
    .option("--q <text>", "按用户名或显示名筛选")
    .action((o: { q?: string }) => withDatabase((d) => userList(d.db, o)));

  const token = program.command("token").description("接口令牌 (API tokens for other platforms)");
  token
    .command("create <name>")
    .description("新建接口令牌；令牌只显示一次")
    .requiredOption("--perm <permission...>", "权限，可多个 (registry.read, people.read …)")
    .requiredOption("--scope <orgCode...>", "数据范围：组织机构代码，可多个")
    .action((name: string, o: { perm: string[]; scope: string[] }) =>
      withDatabase((d) => tokenCreate(d.db, name, o)),
    );
  token
    .command("revoke <idOrPrefix>")
    .description("吊销接口令牌（按编号、前缀或完整令牌）")
    .action((ref: string) => withDatabase((d) => tokenRevoke(d.db, ref)));
  token
    .command("list")
    .description("列出接口令牌（不含密钥）")
    .action(() => withDatabase((d) => tokenList(d.db)));
}
