import { signal } from '@preact/signals';
import { lang, t, toggleLang } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { UserMenu } from '../shared/UserMenu.tsx';
import { AlarmRulesTab } from './AlarmRulesTab.tsx';
import { AuditTab } from './AuditTab.tsx';
import { DevicesTab } from './DevicesTab.tsx';
import { ImportTab } from './ImportTab.tsx';
import { IndicatorsTab } from './IndicatorsTab.tsx';
import { OutOfServiceTab } from './OutOfServiceTab.tsx';
import { SecuritySystemsTab } from './SecuritySystemsTab.tsx';
import { SourcesTab } from './SourcesTab.tsx';
import { UnitsTab } from './UnitsTab.tsx';
import { UsersTab } from './UsersTab.tsx';
import { SecretDialog, Toast, toast } from './ui.tsx';

export const TABS = [
  'users',
  'devices',
  'alarm-rules',
  'out-of-service',
  'indicators',
  'sources',
  'import',
  'security',
  'units',
  'audit',
] as const;
export type Tab = (typeof TABS)[number];

/** The open tab; it lives in the address (`/admin#audit`) so a reload or a link keeps it. */
export const tab = signal<Tab>(tabFromHash(location.hash));

// a link to another tab (`#alarm-rules`) opens it
addEventListener('hashchange', () => {
  tab.value = tabFromHash(location.hash);
});

export function tabFromHash(hash: string): Tab {
  const h = hash.replace(/^#/, '');
  return (TABS as readonly string[]).includes(h) ? (h as Tab) : 'users';
}

const LABEL: Record<Tab, MessageKey> = {
  users: 'admin.tab.users',
  devices: 'admin.tab.devices',
  'alarm-rules': 'admin.tab.alarmRules',
  'out-of-service': 'admin.tab.outOfService',
  indicators: 'admin.tab.indicators',
  sources: 'admin.tab.sources',
  import: 'admin.tab.import',
  security: 'admin.sec.tab',
  units: 'admin.tab.units',
  audit: 'admin.tab.audit',
};

function Tabs() {
  const current = tab.value;
  const go = (next: Tab, focus = false) => {
    // a confirmation belongs to the tab it was said on
    if (next !== current) toast.value = null;
    tab.value = next;
    history.replaceState(null, '', `#${next}`);
    if (focus) document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label={t('admin.tabs')}>
      {TABS.map((k, i) => (
        <button
          type="button"
          role="tab"
          key={k}
          id={`tab-${k}`}
          class={`tab${current === k ? ' on' : ''}`}
          aria-selected={current === k}
          tabIndex={current === k ? 0 : -1}
          data-testid={`tab-${k}`}
          onClick={() => go(k)}
          onKeyDown={(e) => {
            // the tab pattern: arrows move between tabs
            if (e.key === 'ArrowRight') go(TABS[(i + 1) % TABS.length], true);
            else if (e.key === 'ArrowLeft') go(TABS[(i + TABS.length - 1) % TABS.length], true);
          }}
        >
          {t(LABEL[k])}
        </button>
      ))}
    </div>
  );
}

export function App() {
  lang.value;
  const current = tab.value;
  return (
    <div class="admin" data-testid="admin-page" data-tab={current}>
      <header class="top">
        <div class="brand">
          <div class="emblem" aria-hidden="true">
            IOC
          </div>
          <div>
            <div class="org">
              {t('app.title')} · {t('app.city')}
            </div>
            <h1>{t('admin.title')}</h1>
          </div>
        </div>
        <div class="top-right">
          <button type="button" class="btn" onClick={toggleLang} data-testid="lang-toggle">
            {t('lang.toggle')}
          </button>
          <UserMenu tone="light" />
        </div>
      </header>
      <nav class="tabs-bar">
        <Tabs />
      </nav>
      <Toast />
      {/* the tab panel inside the main landmark: a <main> may not take the tabpanel role (axe aria-allowed-role) */}
      <main class="content">
        <div role="tabpanel" aria-labelledby={`tab-${current}`}>
          {current === 'users' && <UsersTab />}
          {current === 'devices' && <DevicesTab />}
          {current === 'alarm-rules' && <AlarmRulesTab />}
          {current === 'out-of-service' && <OutOfServiceTab />}
          {current === 'indicators' && <IndicatorsTab />}
          {current === 'sources' && <SourcesTab />}
          {current === 'import' && <ImportTab />}
          {current === 'security' && <SecuritySystemsTab />}
          {current === 'units' && <UnitsTab />}
          {current === 'audit' && <AuditTab />}
        </div>
      </main>
      <SecretDialog />
    </div>
  );
}
