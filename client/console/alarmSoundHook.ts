import { effect } from '@preact/signals';
import type { LiveState } from '../live/liveState.ts';
import { AlarmAudio } from './alarmAudio.ts';
import { soundingPriority } from './alarmSound.ts';
import { audioStatus, silenced } from './alarmStore.ts';
import { replay } from './replay.ts';
import { liveTick } from './store.ts';

let audio: AlarmAudio | undefined;

/** The console's alarm sound: the tone of the most urgent alarm waiting, until it is answered or silenced. */
export function startAlarmSound(state: LiveState): void {
  const player = new AlarmAudio((s) => (audioStatus.value = s));
  audio = player;
  effect(() => {
    liveTick.value;
    // the past's alarms are shown, never sounded
    player.play(replay.value ? null : soundingPriority(state.alarms.values(), silenced.value));
  });
}

/** The "enable sound" button: a click is the gesture the browser waits for. */
export function enableSound(): void {
  void audio?.enable();
}
