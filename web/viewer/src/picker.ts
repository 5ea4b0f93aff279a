import { getJson } from './streamLog.ts';
import type { Scope } from './types.ts';

interface Elements {
  readonly channel: HTMLInputElement;
  readonly channelList: HTMLDataListElement;
  readonly user: HTMLInputElement;
  readonly date: HTMLSelectElement;
  readonly form: HTMLFormElement;
}

type Dates = { availableLogs: { year: string; month: string; day?: string }[] };

const pad = (n: string) => n.padStart(2, '0');

/**
 * Channel (autocompleted from /channels), optional user, then a day or a month from /list: the
 * dates that have logs, newest first. Choosing one opens it.
 */
export class Picker {
  private listed = '';

  constructor(
    private readonly ui: Elements,
    private readonly open: (scope: Scope) => void,
    private readonly problem: (message: string) => void,
  ) {
    ui.channel.addEventListener('change', () => void this.listDates());
    ui.user.addEventListener('change', () => void this.listDates());
    ui.date.addEventListener('change', () => this.submit());
    ui.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.listDates().then(() => this.submit());
    });
  }

  async loadChannels(): Promise<void> {
    const { channels } = await getJson<{ channels: { name: string }[] }>('/channels');
    this.ui.channelList.replaceChildren(
      ...channels
        .map((c) => c.name)
        .sort()
        .map((name) => Object.assign(document.createElement('option'), { value: name })),
    );
  }

  /** Shows an opened scope in the fields (a permalink or the back button). */
  show(scope: Scope): void {
    this.ui.channel.value = scope.channel;
    this.ui.user.value = scope.kind === 'month' ? scope.user : '';
    void this.listDates().then(() => {
      this.ui.date.value = scope.kind === 'day' ? scope.date : scope.month;
    });
  }

  private async listDates(): Promise<void> {
    const channel = this.ui.channel.value.trim().toLowerCase();
    const user = this.ui.user.value.trim().toLowerCase();
    const key = `${channel}/${user}`;
    if (channel === '' || key === this.listed) return;
    this.listed = key;
    const query = new URLSearchParams({ channel, ...(user ? { user } : {}) });
    try {
      const { availableLogs } = await getJson<Dates>(`/list?${query}`);
      this.ui.date.replaceChildren(
        ...availableLogs.map((d) => {
          const value = d.day === undefined ? `${d.year}-${pad(d.month)}` : `${d.year}-${pad(d.month)}-${pad(d.day)}`;
          return Object.assign(document.createElement('option'), { value, textContent: value });
        }),
      );
    } catch (error) {
      this.listed = '';
      this.ui.date.replaceChildren();
      this.problem(error instanceof Error ? error.message : String(error));
    }
  }

  private submit(): void {
    const channel = this.ui.channel.value.trim().toLowerCase();
    const user = this.ui.user.value.trim().toLowerCase();
    const date = this.ui.date.value;
    if (channel === '' || date === '') return;
    this.open(user === '' ? { kind: 'day', channel, date } : { kind: 'month', channel, user, month: date });
  }
}
