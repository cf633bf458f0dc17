import { lang, t } from '../i18n/i18n.ts';
import { AuthBanner } from './AuthBanner.tsx';
import { online, screen } from './fieldStore.ts';
import { Header } from './Header.tsx';
import { FormScreen } from './screens/FormScreen.tsx';
import { MineScreen } from './screens/MineScreen.tsx';
import { QueuedScreen, SentScreen } from './screens/ResultScreens.tsx';
import { DutyBar, TasksScreen } from './screens/TasksScreen.tsx';

/** The field page: its header, and the screen the reporter is on (screens/). */
export function App() {
  lang.value;
  const s = screen.value;
  return (
    <div class="field" data-testid="field-app" data-screen={s}>
      <Header />
      <DutyBar />
      <AuthBanner />
      {!online.value && (
        <div class="offline-banner" role="status" data-testid="offline-banner">
          {t('field.offline')}
        </div>
      )}
      <main class="screen">
        {(s === 'form' || s === 'sending') && <FormScreen />}
        {s === 'sent' && <SentScreen />}
        {s === 'queued' && <QueuedScreen />}
        {s === 'mine' && <MineScreen />}
        {s === 'tasks' && <TasksScreen />}
      </main>
    </div>
  );
}
