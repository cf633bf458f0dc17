import { effect } from '@preact/signals';
import { render } from 'preact';
import { lang, t } from '../i18n/i18n.ts';
import { loadSession } from '../shared/session.ts';
import { App, tab, tabFromHash } from './App.tsx';
import './admin.css';

effect(() => {
  document.documentElement.lang = lang.value;
  document.title = `IOC — ${t('admin.title')}`;
});
window.addEventListener('hashchange', () => {
  tab.value = tabFromHash(location.hash);
});
// who is signed in: the menu shows it, and the users table locks the admin's own row
void loadSession();
render(<App />, document.getElementById('app') as HTMLElement);
