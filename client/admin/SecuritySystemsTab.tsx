// The inventory of public systems the server probes (issue 15): add, edit, stop and resume monitoring.
// Every change is audited by the server (security_system.create / update / disable).
import { useState } from 'preact/hooks';
import { type SecuritySystemView, SYSTEM_KINDS, type SystemKind } from '#contract/securityVocab.ts';
import { formatDateTime } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import { adminApi } from './api.ts';
import { Field, FormDialog, TextField, useFormSend } from './form.tsx';
import { ConfirmButton, type CreateProps, ListPanel, StatusBadge, say, useAdminList } from './ui.tsx';

const ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const URL_OK = (s: string) => /^https?:\/\/\S+$/.test(s.trim());

interface Draft {
  id: string;
  nameVi: string;
  nameEn: string;
  kind: SystemKind;
  url: string;
  agent: string;
}

const draftOf = (s?: SecuritySystemView): Draft => ({
  id: s?.id ?? '',
  nameVi: s?.nameVi ?? '',
  nameEn: s?.nameEn ?? '',
  kind: s?.kind ?? 'portal',
  url: s?.url ?? 'https://',
  agent: s?.agent ?? '',
});

/** The add and edit dialog: `editing` keeps its id. */
function SystemDialog(props: {
  editing?: SecuritySystemView;
  onClose: () => void;
  onSaved: (s: SecuritySystemView) => void;
}) {
  const [d, setD] = useState<Draft>(draftOf(props.editing));
  const set = (k: keyof Draft) => (v: string) => setD({ ...d, [k]: v });
  const bad = {
    id: !props.editing && !ID.test(d.id),
    nameVi: !d.nameVi.trim(),
    nameEn: !d.nameEn.trim(),
    url: !URL_OK(d.url),
  };
  const form = useFormSend(Object.values(bad).some(Boolean), async () => {
    const body = {
      nameVi: d.nameVi.trim(),
      nameEn: d.nameEn.trim(),
      kind: d.kind,
      url: d.url.trim(),
      agent: d.agent.trim() || null,
    };
    const r = props.editing
      ? await adminApi.updateSecuritySystem(props.editing.id, body)
      : await adminApi.createSecuritySystem({ id: d.id, ...body });
    props.onSaved(r.item);
  });
  return (
    <FormDialog
      title={props.editing ? `${t('admin.sec.edit')} ${props.editing.id}` : t('admin.sec.add')}
      testId="security-system-dialog"
      form={form}
      submitLabel={t('admin.sec.save')}
      submitTestId="security-system-save"
      onClose={props.onClose}
    >
      {!props.editing && (
        <TextField
          id="sys-id"
          label={t('admin.sec.id')}
          value={d.id}
          onInput={set('id')}
          bad={form.tried && bad.id}
          hint={{ ok: 'cong-thong-tin', bad: t('admin.required') }}
        />
      )}
      <TextField
        id="sys-name-vi"
        label={t('admin.sec.nameVi')}
        value={d.nameVi}
        onInput={set('nameVi')}
        bad={form.tried && bad.nameVi}
      />
      <TextField
        id="sys-name-en"
        label={t('admin.sec.nameEn')}
        value={d.nameEn}
        onInput={set('nameEn')}
        bad={form.tried && bad.nameEn}
      />
      <Field id="sys-kind" label={t('admin.sec.kind')}>
        <select
          id="sys-kind"
          class="select"
          value={d.kind}
          onChange={(e) => set('kind')((e.target as HTMLSelectElement).value)}
        >
          {SYSTEM_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`systemKind.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      <TextField
        id="sys-url"
        label={t('admin.sec.url')}
        value={d.url}
        onInput={set('url')}
        bad={form.tried && bad.url}
        hint={{ ok: 'https://dichvucong.binhdinh.gov.vn/', bad: 'http:// · https://' }}
      />
      <TextField
        id="sys-agent"
        label={t('admin.sec.agent')}
        value={d.agent}
        onInput={set('agent')}
        bad={false}
        hint={{ ok: 'dvc-app01', bad: '' }}
      />
    </FormDialog>
  );
}

function CreateSystem(p: CreateProps<SecuritySystemView>) {
  return <SystemDialog onClose={p.onClose} onSaved={(s) => p.onCreated(s, s.id)} />;
}

export function SecuritySystemsTab() {
  const l = lang.value;
  const list = useAdminList(adminApi.securitySystems);
  const [editing, setEditing] = useState<SecuritySystemView | null>(null);
  const name = (s: SecuritySystemView) => (l === 'en' ? s.nameEn : s.nameVi);
  return (
    <>
      <ListPanel
        testId="security-tab"
        list={list}
        intro={<p class="intro">{t('admin.sec.intro')}</p>}
        count={String(list.items.length)}
        emptyText={t('admin.sec.empty')}
        create={{ label: t('admin.sec.add'), testId: 'security-system-new', Dialog: CreateSystem }}
        tableTestId="security-systems-table"
        columns={[
          [t('admin.sec.id')],
          [t('sec.col.system')],
          [t('admin.sec.kind')],
          [t('admin.sec.url')],
          [t('admin.sec.agent')],
          [t('sec.col.status')],
          [t('admin.col.actions'), 'actions-col'],
        ]}
        rows={list.items.map((s) => {
          const p = s.probe;
          return (
            <tr key={s.id} class={s.disabled ? 'off' : ''} data-testid="security-system-row" data-id={s.id}>
              <td class="mono">
                {s.id}
                {s.simulated && <span class="muted"> ({t('admin.sec.simulated')})</span>}
              </td>
              <td>{name(s)}</td>
              <td>{t(`systemKind.${s.kind}`)}</td>
              <td class="mono">{s.url}</td>
              <td class="mono">{s.agent ?? '—'}</td>
              <td>
                {s.disabled ? (
                  <StatusBadge disabled />
                ) : !p ? (
                  t('sec.notProbed')
                ) : (
                  <span title={formatDateTime(l, p.time)} class={p.up ? '' : 'bad'}>
                    {p.up ? `● ${t('sec.up')}` : `▲ ${p.error ? t(`probeError.${p.error}`) : ''}`}
                    {p.responseMs !== null && ` · ${t('sec.ms', { n: p.responseMs })}`}
                  </span>
                )}
              </td>
              <td class="actions-col">
                <button
                  type="button"
                  class="btn small"
                  data-testid="security-system-edit"
                  onClick={() => setEditing(s)}
                >
                  {t('admin.sec.edit')}
                </button>{' '}
                <ConfirmButton
                  testId={s.disabled ? 'security-system-enable' : 'security-system-disable'}
                  danger={!s.disabled}
                  locked={list.busy === s.id}
                  question={`${s.disabled ? t('admin.sec.enable') : t('admin.sec.disable')}: ${name(s)}?`}
                  onConfirmed={() =>
                    void list.change(
                      s.id,
                      () => adminApi.updateSecuritySystem(s.id, { disabled: !s.disabled }),
                      (r) => r.item,
                    )
                  }
                >
                  {s.disabled ? t('admin.sec.enable') : t('admin.sec.disable')}
                </ConfirmButton>
              </td>
            </tr>
          );
        })}
      />
      {editing && (
        <SystemDialog
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={(s) => {
            setEditing(null);
            void list.load();
            say(t('admin.sec.saved', { id: s.id }));
          }}
        />
      )}
    </>
  );
}
