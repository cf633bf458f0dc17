// The patrol and field units operators dispatch to (issue 15): register a patrol car's tracker, name a
// unit, link a field account so its phone sees the unit's tasks. Audited by the server (unit.create /
// unit.update). A phone that shares its position without a linked unit still makes its own.
import { useEffect, useState } from 'preact/hooks';
import type { UserView } from '#contract/auth.ts';
import { UNIT_ID, UNIT_KINDS, type UnitAdminView, type UnitKind } from '#contract/units.ts';
import { formatAgo } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import { AdminApiError, adminApi } from './api.ts';
import { Field, FormDialog, TextField, useFormSend } from './form.tsx';
import { type CreateProps, ListPanel, say, useAdminList } from './ui.tsx';

interface Draft {
  id: string;
  name: string;
  kind: UnitKind;
  account: string;
}

const draftOf = (u?: UnitAdminView): Draft => ({
  id: u?.id ?? '',
  name: u?.name ?? '',
  kind: u?.kind ?? 'patrol',
  account: u?.account ?? '',
});

/** The field accounts a unit may be linked to (enabled ones, and the one it has). */
function useFieldAccounts(): UserView[] {
  const [users, setUsers] = useState<UserView[]>([]);
  useEffect(() => {
    adminApi
      .users()
      .then((r) => setUsers(r.items.filter((u) => u.role === 'field')))
      .catch(() => setUsers([]));
  }, []);
  return users;
}

/** The add and edit dialog: `editing` keeps its id. */
function UnitDialog(props: {
  editing?: UnitAdminView;
  onClose: () => void;
  onSaved: (u: UnitAdminView) => void;
}) {
  const [d, setD] = useState<Draft>(draftOf(props.editing));
  const accounts = useFieldAccounts();
  const set = (k: keyof Draft) => (v: string) => setD({ ...d, [k]: v });
  const bad = { id: !props.editing && !UNIT_ID.test(d.id.trim()), name: !d.name.trim() };
  const form = useFormSend(Object.values(bad).some(Boolean), async () => {
    const id = props.editing?.id ?? d.id.trim();
    const body = { name: d.name.trim(), kind: d.kind, account: d.account || null };
    try {
      await adminApi.saveUnit(id, body);
    } catch (err) {
      // the server's refusals, in the admin's language (the other unit named from the registry)
      if (err instanceof AdminApiError && err.code === 'account_taken') {
        const units = await adminApi.units().catch(() => ({ items: [] as UnitAdminView[] }));
        const other = units.items.find(
          (u) => u.id !== id && u.account?.toLowerCase() === d.account.toLowerCase(),
        );
        throw new Error(t('admin.units.err.account_taken', { unitId: other?.id ?? '?' }));
      }
      if (
        err instanceof AdminApiError &&
        (err.code === 'not_field_account' || err.code === 'unknown_account')
      )
        throw new Error(t(`admin.units.err.${err.code}`));
      throw err;
    }
    props.onSaved({
      id,
      ...body,
      onDuty: props.editing?.onDuty ?? true,
      status: props.editing?.status ?? 'available',
      ...(props.editing?.ts !== undefined ? { ts: props.editing.ts } : {}),
    });
  });
  const linkable = accounts.filter((a) => !a.disabled || a.username === d.account);
  return (
    <FormDialog
      title={props.editing ? `${t('admin.units.edit')} ${props.editing.id}` : t('admin.units.add')}
      testId="unit-dialog"
      form={form}
      submitLabel={t('admin.units.save')}
      submitTestId="unit-save"
      onClose={props.onClose}
    >
      {!props.editing && (
        <TextField
          id="unit-id"
          label={t('admin.units.id')}
          value={d.id}
          onInput={set('id')}
          bad={form.tried && bad.id}
          hint={{ ok: 'ca-tuan-tra-03', bad: 'A–Z a–z 0–9 . _ -' }}
        />
      )}
      <TextField
        id="unit-name"
        label={t('admin.units.name')}
        value={d.name}
        onInput={set('name')}
        bad={form.tried && bad.name}
      />
      <Field id="unit-kind" label={t('admin.units.kind')}>
        <select
          id="unit-kind"
          class="select"
          data-testid="unit-kind"
          value={d.kind}
          onChange={(e) => set('kind')((e.target as HTMLSelectElement).value)}
        >
          {UNIT_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`units.kind.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id="unit-account"
        label={t('admin.units.account')}
        hint={accounts.length ? undefined : t('admin.units.noFieldAccounts')}
      >
        <select
          id="unit-account"
          class="select"
          data-testid="unit-account"
          value={d.account}
          aria-describedby="unit-account-msg"
          onChange={(e) => set('account')((e.target as HTMLSelectElement).value)}
        >
          <option value="">{t('admin.units.noAccount')}</option>
          {linkable.map((a) => (
            <option key={a.id} value={a.username}>
              {a.displayName} ({a.username})
            </option>
          ))}
        </select>
      </Field>
    </FormDialog>
  );
}

function CreateUnit(p: CreateProps<UnitAdminView>) {
  return <UnitDialog onClose={p.onClose} onSaved={(u) => p.onCreated(u, u.id)} />;
}

export function UnitsTab() {
  const l = lang.value;
  const list = useAdminList(adminApi.units);
  const [editing, setEditing] = useState<UnitAdminView | null>(null);
  const now = Date.now();
  return (
    <>
      <ListPanel
        testId="units-tab"
        list={list}
        intro={<p class="intro">{t('admin.units.intro')}</p>}
        count={String(list.items.length)}
        emptyText={t('admin.units.empty')}
        create={{ label: t('admin.units.add'), testId: 'unit-new', Dialog: CreateUnit }}
        tableTestId="units-table"
        columns={[
          [t('admin.units.id')],
          [t('admin.units.name')],
          [t('admin.units.kind')],
          [t('admin.units.account')],
          [t('admin.units.lastPosition')],
          [t('admin.col.actions'), 'actions-col'],
        ]}
        rows={list.items.map((u) => (
          <tr key={u.id} class={u.onDuty ? '' : 'off'} data-testid="unit-row" data-id={u.id}>
            <td class="mono">{u.id}</td>
            <td>
              {u.name}
              {!u.onDuty && <span class="muted"> ({t('admin.units.offDuty')})</span>}
            </td>
            <td>{t(`units.kind.${u.kind}`)}</td>
            <td class="mono">{u.account ?? '—'}</td>
            <td>
              {u.ts === undefined ? (
                <span class="muted">{t('admin.units.never')}</span>
              ) : (
                <>
                  {formatAgo(l, now - u.ts)} · {t(`units.status.${u.status}`)}
                </>
              )}
            </td>
            <td class="actions-col">
              <button type="button" class="btn small" data-testid="unit-edit" onClick={() => setEditing(u)}>
                {t('admin.units.edit')}
              </button>
            </td>
          </tr>
        ))}
      />
      {editing && (
        <UnitDialog
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={(u) => {
            setEditing(null);
            void list.load();
            say(t('admin.units.saved', { id: u.id }));
          }}
        />
      )}
    </>
  );
}
