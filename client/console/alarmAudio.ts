// Plays the alarm tones (alarmSound.ts) through Web Audio. A browser may start the audio context
// suspended until someone clicks (autoplay policy): the console then offers a one-click "enable sound".
import type { AlarmPriority } from '#contract/alarmVocab.ts';
import { ALARM_TONES, burst } from './alarmSound.ts';

export type AudioStatus = 'running' | 'blocked' | 'unavailable';

const VOLUME = 0.18;

/**
 * One tone at a time: `play(p)` repeats priority p's burst until `play(null)`. The page's root element
 * says what plays (`data-alarm-tone`, `data-alarm-bursts`), for tests and for whoever inspects the wall.
 */
export class AlarmAudio {
  private ctx?: AudioContext;
  private current: AlarmPriority | null = null;
  private timer?: ReturnType<typeof setInterval>;
  private bursts = 0;

  constructor(private readonly onStatus: (s: AudioStatus) => void) {
    const Ctor =
      typeof window !== 'undefined'
        ? (window.AudioContext ??
          (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext)
        : undefined;
    if (!Ctor) {
      onStatus('unavailable');
      return;
    }
    try {
      this.ctx = new Ctor();
    } catch {
      onStatus('unavailable');
      return;
    }
    this.ctx.onstatechange = () => this.report();
    this.report();
    // any click or key on the page counts as the gesture the browser waits for
    const wake = () => {
      if (this.ctx?.state === 'suspended') void this.enable();
    };
    window.addEventListener('pointerdown', wake, { capture: true });
    window.addEventListener('keydown', wake, { capture: true });
  }

  get status(): AudioStatus {
    if (!this.ctx) return 'unavailable';
    return this.ctx.state === 'running' ? 'running' : 'blocked';
  }

  /** Resumes a suspended context (call from a click). */
  async enable(): Promise<void> {
    try {
      await this.ctx?.resume();
    } catch {
      // still blocked: the button stays
    }
    this.report();
  }

  /** Repeats priority `p`'s tone, or stops (null). The same priority again changes nothing. */
  play(p: AlarmPriority | null): void {
    if (p === this.current) return;
    this.current = p;
    clearInterval(this.timer);
    this.timer = undefined;
    const root = document.documentElement;
    if (p === null) {
      delete root.dataset.alarmTone;
      return;
    }
    root.dataset.alarmTone = String(p);
    this.burst(p);
    this.timer = setInterval(() => this.burst(p), ALARM_TONES[p].repeatMs);
  }

  private burst(p: AlarmPriority): void {
    this.bursts++;
    document.documentElement.dataset.alarmBursts = String(this.bursts);
    const ctx = this.ctx;
    if (ctx?.state !== 'running') return;
    const tone = ALARM_TONES[p];
    const t0 = ctx.currentTime + 0.02;
    for (const pulse of burst(tone)) {
      const at = t0 + pulse.atMs / 1000;
      const end = at + pulse.ms / 1000;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = tone.wave;
      osc.frequency.setValueAtTime(pulse.hz, at);
      // soft edges: no click at the start and end of a pulse
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(VOLUME, at + 0.012);
      gain.gain.setValueAtTime(VOLUME, end - 0.015);
      gain.gain.linearRampToValueAtTime(0, end);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(end + 0.01);
    }
  }

  private report(): void {
    this.onStatus(this.status);
  }
}
