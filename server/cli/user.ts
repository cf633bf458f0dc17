// npm run user -- <command>: people's accounts, in the IOC's database.
import os from 'node:os';
import { ROLES, type Role } from '#contract/auth.ts';
import { dbAuditLog } from '../auth/audit.ts';
import { generatePassword } from '../auth/secrets.ts';
import { Sessions } from '../auth/sessions.ts';
import { UserError, UsersRepo } from '../auth/users.ts';
import type { Db } from '../store/db.ts';
import { CliError, dbCommand, parseCommandLine, runIfMain } from './command.ts';

const HELP = `Accounts of the IOC: who may log in, and as what.

usage: npm run user -- <command> [options]

  add <username> --role <${ROLES.join('|')}> [--name "Display name"]
                      a new account; its password is generated and printed once
  list                the accounts, their roles and state
  reset <username>    a new password (printed once); the account's sessions end
  disable <username>  refuse its logins; its sessions and open consoles end within a minute
  enable <username>
  role <username> <role>
                      change the role; the account's sessions end

Reads the same settings as the IOC: DATABASE_URL, else the embedded database under DATA_DIR
(which a running IOC holds: stop it first, or use the admin page /admin while it runs).
`;

export interface UserCommand {
  command: 'add' | 'list' | 'reset' | 'disable' | 'enable' | 'role';
  username?: string;
  role?: Role;
  name?: string;
}

const OPTIONS = {
  role: { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseUserArgs(argv: string[]): UserCommand | 'help' {
  const parsed = parseCommandLine(argv, OPTIONS, HELP);
  if (parsed === 'help') return 'help';
  const { values, positionals } = parsed;
  const [command, username, ...rest] = positionals;
  const commands = ['add', 'list', 'reset', 'disable', 'enable', 'role'];
  if (!commands.includes(command)) throw new CliError(`unknown command "${command}"\n\n${HELP}`);
  if (command !== 'list' && !username)
    throw new CliError(`${command}: which account? (npm run user -- ${command} <username>)`);
  const roleArg = command === 'role' ? rest.shift() : values.role;
  if (rest.length) throw new CliError(`unexpected: ${rest.join(' ')}`);
  if ((command === 'add' || command === 'role') && !roleArg)
    throw new CliError(`${command}: the role is required: one of ${ROLES.join(', ')}`);
  if (roleArg !== undefined && !ROLES.includes(roleArg as Role))
    throw new CliError(`no role "${roleArg}": one of ${ROLES.join(', ')}`);
  return {
    command: command as UserCommand['command'],
    username,
    role: roleArg as Role | undefined,
    name: values.name,
  };
}

/** Carries out one command on a database; returns what to print. */
export async function runUserCommand(
  db: Db,
  c: UserCommand,
  actor = `cli:${os.userInfo().username}`,
): Promise<string> {
  const users = new UsersRepo(db);
  const sessions = new Sessions(db, users, { idleMs: 1, maxMs: 1 });
  const audit = dbAuditLog(db, { warn: () => {}, error: (o, m) => console.error(m, o) });
  const record = (action: string, target: string, details?: Record<string, unknown>) =>
    audit.record({ actor, role: 'admin', action, target, outcome: 'ok', details: details ?? null });
  try {
    if (c.command === 'list') {
      const all = await users.list();
      if (!all.length) return 'no accounts yet (the IOC makes the demo accounts on its first start)';
      const w = Math.max(8, ...all.map((u) => u.username.length));
      return [
        `${'username'.padEnd(w)}  ${'role'.padEnd(8)}  state     last login (UTC)      name`,
        ...all.map(
          (u) =>
            `${u.username.padEnd(w)}  ${u.role.padEnd(8)}  ${(u.disabled ? 'disabled' : 'active').padEnd(8)}  ${
              u.lastLoginAt
                ? new Date(u.lastLoginAt).toISOString().slice(0, 19).replace('T', ' ')
                : '—'.padEnd(19)
            }   ${u.displayName}`,
        ),
      ].join('\n');
    }
    const username = c.username as string;
    if (c.command === 'add') {
      const { user, password } = await users.create({
        username,
        displayName: c.name ?? username,
        role: c.role as Role,
      });
      record('user.create', user.username, { role: user.role });
      return `made ${user.username} (${user.role}). Password, shown once: ${password}`;
    }
    const u = await users.byUsername(username);
    if (!u) throw new CliError(`no account "${username}" (npm run user -- list)`);
    if (c.command === 'reset') {
      const password = generatePassword();
      await users.update(u.id, { password });
      const ended = await sessions.revokeUser(u.id);
      record('user.reset_password', u.username, { sessionsEnded: ended });
      return `new password for ${u.username}, shown once: ${password}\n(${ended} session(s) ended)`;
    }
    if (c.command === 'disable' || c.command === 'enable') {
      await users.update(u.id, { disabled: c.command === 'disable' });
      const ended = c.command === 'disable' ? await sessions.revokeUser(u.id) : 0;
      record(`user.${c.command}`, u.username, { sessionsEnded: ended });
      return `${u.username} ${c.command}d${ended ? ` (${ended} session(s) ended)` : ''}`;
    }
    await users.update(u.id, { role: c.role });
    const ended = await sessions.revokeUser(u.id);
    record('user.update', u.username, { role: c.role, sessionsEnded: ended });
    return `${u.username} is now ${c.role} (${ended} session(s) ended)`;
  } catch (err) {
    if (err instanceof UserError) throw new CliError(err.message);
    throw err;
  } finally {
    await audit.flush();
  }
}

const main = dbCommand({
  help: HELP,
  parse: parseUserArgs,
  run: async (db, c, where) => {
    process.stdout.write(`database: ${where}\n${await runUserCommand(db, c)}\n`);
  },
});

runIfMain(import.meta.url, main);
