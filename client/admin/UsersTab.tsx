import { useState } from 'preact/hooks';
import { ROLES, type Role, type UpdateUserRequest, type UserView } from '#contract/auth.ts';
import { formatDateTime } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import { session } from '../shared/session.ts';
import { roleLabel } from '../shared/UserMenu.tsx';
import { adminApi } from './api.ts';
import { FormDialog, TextField, useFormSend } from './form.tsx';
import {
  ConfirmButton,
  type CreateProps,
  EnableToggle,
  ListPanel,
  type Secret,
  StatusBadge,
  showChange,
  useAdminList,
} from './ui.tsx';

const USERNAME = /^\S{3,64}$/;

/** An account's password, to show this once: a new account's (`made`, with its username) or a reset one. */
function passwordOnce(u: UserView, password: string, made: boolean): Secret {
  return {
    title: t('admin.users.passwordTitle', { username: u.username }),
    intro: t(made ? 'admin.users.created' : 'admin.users.resetDone', { username: u.username }),
    fields: [
      ...(made ? [{ label: t('login.username'), value: u.username, testId: 'new-username' }] : []),
      { label: t('login.password'), value: password, testId: 'new-password' },
    ],
  };
}

/** The role choices of a select. */
function RoleOptions() {
  return (
    <>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {roleLabel(r)}
        </option>
      ))}
    </>
  );
}

export function UsersTab() {
  const l = lang.value;
  const list = useAdminList(adminApi.users);
  // re-renders the role selects after a change the admin cancelled
  const [, setNonce] = useState(0);
  const me = session.value?.user.id;

  const update = async (u: UserView, body: UpdateUserRequest) => {
    const r = await list.change(
      u.id,
      () => adminApi.updateUser(u.id, body),
      (x) => x.user,
    );
    if (!r) setNonce((n) => n + 1);
    else showChange(r.user.username, r.password ? passwordOnce(r.user, r.password, false) : undefined);
  };

  return (
    <ListPanel
      testId="users-tab"
      list={list}
      count={t('admin.users.count', { n: list.items.length })}
      emptyText={t('admin.users.empty')}
      create={{ label: t('admin.users.new'), testId: 'user-new', Dialog: CreateUser }}
      tableTestId="users-table"
      columns={[
        [t('admin.col.username')],
        [t('admin.col.displayName')],
        [t('admin.col.role')],
        [t('admin.col.status')],
        [t('admin.col.lastLogin')],
        [t('admin.col.actions'), 'actions-col'],
      ]}
      rows={list.items.map((u) => {
        const self = u.id === me;
        const rowBusy = list.busy === u.id;
        return (
          <tr
            key={u.id}
            class={u.disabled ? 'off' : ''}
            data-testid="user-row"
            data-username={u.username}
            aria-busy={rowBusy}
          >
            <td class="mono">
              {u.username}
              {self && <span class="you"> ({t('admin.you')})</span>}
            </td>
            <td>{u.displayName}</td>
            <td>
              <select
                class="select"
                aria-label={`${t('admin.col.role')}: ${u.username}`}
                value={u.role}
                disabled={self || rowBusy}
                title={self ? t('admin.self') : undefined}
                data-testid="user-role-select"
                onChange={(e) => {
                  const role = (e.target as HTMLSelectElement).value as Role;
                  if (confirm(t('admin.confirm.role', { username: u.username, role: roleLabel(role) })))
                    void update(u, { role });
                  else setNonce((n) => n + 1);
                }}
              >
                <RoleOptions />
              </select>
            </td>
            <td>
              <StatusBadge disabled={u.disabled} />
            </td>
            <td title={u.lastLoginAt ? new Date(u.lastLoginAt).toISOString() : undefined}>
              {u.lastLoginAt ? (
                formatDateTime(l, u.lastLoginAt)
              ) : (
                <span class="muted">{t('admin.never')}</span>
              )}
            </td>
            <td class="actions">
              <EnableToggle
                kind="user"
                disabled={u.disabled}
                question={t(u.disabled ? 'admin.confirm.enableUser' : 'admin.confirm.disableUser', {
                  username: u.username,
                })}
                locked={self || rowBusy}
                title={self ? t('admin.self') : undefined}
                onConfirmed={() => void update(u, { disabled: !u.disabled })}
              />
              <ConfirmButton
                testId="user-reset"
                question={t('admin.confirm.reset', { username: u.username })}
                locked={rowBusy}
                onConfirmed={() => void update(u, { resetPassword: true })}
              >
                {t('admin.users.reset')}
              </ConfirmButton>
            </td>
          </tr>
        );
      })}
    />
  );
}

function CreateUser(props: CreateProps<UserView>) {
  lang.value;
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const badUsername = !USERNAME.test(username.trim());
  const badName = !displayName.trim();
  const form = useFormSend(badUsername || badName, async () => {
    const r = await adminApi.createUser({
      username: username.trim(),
      displayName: displayName.trim(),
      role,
    });
    props.onCreated(r.user, r.user.username, r.password ? passwordOnce(r.user, r.password, true) : undefined);
  });
  return (
    <FormDialog
      title={t('admin.users.new')}
      testId="user-create-dialog"
      form={form}
      submitLabel={t('admin.users.create')}
      submitTestId="user-create-submit"
      onClose={props.onClose}
    >
      <TextField
        id="new-username"
        label={t('admin.col.username')}
        value={username}
        onInput={setUsername}
        bad={form.tried && badUsername}
        hint={{ ok: t('admin.users.usernameHint'), bad: t('admin.users.badUsername') }}
      />
      <TextField
        id="new-display-name"
        label={t('admin.col.displayName')}
        value={displayName}
        onInput={setDisplayName}
        bad={form.tried && badName}
      />
      <label class="label" for="new-role">
        {t('admin.col.role')}
      </label>
      <select
        id="new-role"
        class="select"
        value={role}
        onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}
      >
        <RoleOptions />
      </select>
    </FormDialog>
  );
}
