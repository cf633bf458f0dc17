import { useEffect, useState } from 'preact/hooks';
import { ROLES, type Role, type UserView } from '../../server/contracts/auth.ts';
import { formatDateTime } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import { session } from '../shared/session.ts';
import { roleLabel } from '../shared/UserMenu.tsx';
import { adminApi } from './api.ts';
import { errorText, ListState, Modal, StatusBadge, say, secret } from './ui.tsx';

const USERNAME = /^\S{3,64}$/;

function useUsers() {
  const [items, setItems] = useState<UserView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    setLoading(true);
    setError(null);
    try {
      setItems((await adminApi.users()).items);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, []);
  const replace = (u: UserView) => setItems((xs) => xs.map((x) => (x.id === u.id ? u : x)));
  const add = (u: UserView) => setItems((xs) => [...xs, u]);
  return { items, loading, error, load, replace, add };
}

export function UsersTab() {
  const l = lang.value;
  const { items, loading, error, load, replace, add } = useUsers();
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  // re-renders the role selects after a change the admin cancelled
  const [, setNonce] = useState(0);
  const me = session.value?.user.id;

  const update = async (
    u: UserView,
    body: Parameters<typeof adminApi.updateUser>[1],
    confirmText: string,
  ) => {
    if (!confirm(confirmText)) {
      setNonce((n) => n + 1);
      return;
    }
    setBusy(u.id);
    try {
      const r = await adminApi.updateUser(u.id, body);
      replace(r.user);
      if (r.password)
        secret.value = {
          title: t('admin.users.passwordTitle', { username: r.user.username }),
          intro: t('admin.users.resetDone', { username: r.user.username }),
          fields: [{ label: t('login.password'), value: r.password, testId: 'new-password' }],
        };
      else say(t('admin.updated', { name: r.user.username }));
    } catch (err) {
      say(t('admin.failed', { msg: errorText(err) }), 'bad');
      setNonce((n) => n + 1);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="panel" data-testid="users-tab">
      <div class="toolbar">
        <div class="count">{!loading && !error && t('admin.users.count', { n: items.length })}</div>
        <button type="button" class="btn" onClick={() => void load()}>
          {t('admin.refresh')}
        </button>
        <button type="button" class="btn primary" data-testid="user-new" onClick={() => setCreating(true)}>
          + {t('admin.users.new')}
        </button>
      </div>
      <ListState
        loading={loading && items.length === 0}
        error={error}
        empty={items.length === 0}
        emptyText={t('admin.users.empty')}
        onRetry={() => void load()}
      />
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="tbl" data-testid="users-table">
            <thead>
              <tr>
                <th>{t('admin.col.username')}</th>
                <th>{t('admin.col.displayName')}</th>
                <th>{t('admin.col.role')}</th>
                <th>{t('admin.col.status')}</th>
                <th>{t('admin.col.lastLogin')}</th>
                <th class="actions-col">{t('admin.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => {
                const self = u.id === me;
                const rowBusy = busy === u.id;
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
                          void update(
                            u,
                            { role },
                            t('admin.confirm.role', { username: u.username, role: roleLabel(role) }),
                          );
                        }}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {roleLabel(r)}
                          </option>
                        ))}
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
                      <button
                        type="button"
                        class={`btn small${u.disabled ? '' : ' danger'}`}
                        disabled={self || rowBusy}
                        title={self ? t('admin.self') : undefined}
                        data-testid={u.disabled ? 'user-enable' : 'user-disable'}
                        onClick={() =>
                          void update(
                            u,
                            { disabled: !u.disabled },
                            t(u.disabled ? 'admin.confirm.enableUser' : 'admin.confirm.disableUser', {
                              username: u.username,
                            }),
                          )
                        }
                      >
                        {u.disabled ? t('admin.enable') : t('admin.disable')}
                      </button>
                      <button
                        type="button"
                        class="btn small"
                        disabled={rowBusy}
                        data-testid="user-reset"
                        onClick={() =>
                          void update(
                            u,
                            { resetPassword: true },
                            t('admin.confirm.reset', { username: u.username }),
                          )
                        }
                      >
                        {t('admin.users.reset')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {creating && (
        <CreateUser
          onClose={() => setCreating(false)}
          onCreated={(u, password) => {
            add(u);
            setCreating(false);
            if (password)
              secret.value = {
                title: t('admin.users.passwordTitle', { username: u.username }),
                intro: t('admin.users.created', { username: u.username }),
                fields: [
                  { label: t('login.username'), value: u.username, testId: 'new-username' },
                  { label: t('login.password'), value: password, testId: 'new-password' },
                ],
              };
            else say(t('admin.updated', { name: u.username }));
          }}
        />
      )}
    </section>
  );
}

function CreateUser(props: { onClose: () => void; onCreated: (u: UserView, password?: string) => void }) {
  lang.value;
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const badUsername = !USERNAME.test(username.trim());
  const badName = !displayName.trim();
  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (badUsername || badName) return;
    setBusy(true);
    setError(null);
    try {
      const r = await adminApi.createUser({
        username: username.trim(),
        displayName: displayName.trim(),
        role,
      });
      props.onCreated(r.user, r.password);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Modal title={t('admin.users.new')} onClose={props.onClose} testId="user-create-dialog">
      <form onSubmit={submit} noValidate>
        <div class="modal-body">
          {error && (
            <div class="state state-error" role="alert">
              {error}
            </div>
          )}
          <label class="label" for="new-username">
            {t('admin.col.username')}
          </label>
          <input
            id="new-username"
            class="input mono"
            autocomplete="off"
            autocapitalize="none"
            spellcheck={false}
            value={username}
            aria-invalid={tried && badUsername}
            aria-describedby="new-username-hint"
            onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
          />
          <div id="new-username-hint" class={`hint${tried && badUsername ? ' bad' : ''}`}>
            {tried && badUsername ? t('admin.users.badUsername') : t('admin.users.usernameHint')}
          </div>
          <label class="label" for="new-display-name">
            {t('admin.col.displayName')}
          </label>
          <input
            id="new-display-name"
            class="input"
            autocomplete="off"
            value={displayName}
            aria-invalid={tried && badName}
            onInput={(e) => setDisplayName((e.target as HTMLInputElement).value)}
          />
          {tried && badName && <div class="hint bad">{t('admin.required')}</div>}
          <label class="label" for="new-role">
            {t('admin.col.role')}
          </label>
          <select
            id="new-role"
            class="select"
            value={role}
            onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
        </div>
        <div class="modal-foot">
          <button type="button" class="btn" onClick={props.onClose}>
            {t('admin.cancel')}
          </button>
          <button type="submit" class="btn primary" disabled={busy} data-testid="user-create-submit">
            {t('admin.users.create')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
