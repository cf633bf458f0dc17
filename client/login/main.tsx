import { effect } from '@preact/signals';
import { render } from 'preact';
import { lang, t } from '../i18n/i18n.ts';
import { fetchMe } from '../shared/session.ts';
import { App, leave } from './App.tsx';
import './login.css';

effect(() => {
  document.documentElement.lang = lang.value;
  document.title = `IOC — ${t('login.title')}`;
});

render(<App />, document.getElementById('app') as HTMLElement);

// already signed in (another tab, or the back button): no form to fill
fetchMe().then(
  (s) => {
    if (s) leave(s.user.role, s.home);
  },
  () => undefined,
);
