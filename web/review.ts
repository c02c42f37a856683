/**
 * Reviewing a finished run: the video plays from the API (Range requests, so seeking works), the
 * moment's transcript runs beside it (click a line to jump there), B-roll placements are marked on
 * a bar under the video, the publishing copy has copy buttons, and every file can be downloaded.
 */
import type { Placement } from '../src/domain/cutaways';
import { api, ticketed } from './api';
import { h } from './dom';
import { bytes, position } from './words';

interface Moment {
  startS: number;
  endS: number;
  cues: { startS: number; endS: number; text: string }[];
}
interface Placements {
  placed: Placement[];
  skipped: { key: string; reason: string }[];
}
interface Assets {
  generator: string;
  descriptions: string[];
  hashtags: string[];
  music_mood: string;
}

const fileUrl = (id: string, name: string) => `/api/projects/${encodeURIComponent(id)}/files/${name}`;

/** A run file as JSON, or undefined when the run has none. */
async function readJson<T>(id: string, name: string, files: string[]): Promise<T | undefined> {
  return files.includes(name) ? api<T>(fileUrl(id, name)) : undefined;
}

function copyButton(text: string, label = 'Copy'): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'copy', 'data-copy': text }, label);
  button.addEventListener('click', () => {
    const show = (said: string) => {
      button.textContent = said;
      window.setTimeout(() => (button.textContent = label), 2000);
    };
    void navigator.clipboard.writeText(text).then(
      () => show('Copied'),
      () => show('Select and copy by hand'),
    );
  });
  return button;
}

export async function review(id: string, result: Record<string, unknown>): Promise<HTMLElement> {
  const { files } = await api<{ files: { name: string; bytes: number }[] }>(
    `/api/projects/${encodeURIComponent(id)}/files`,
  );
  const names = files.map((f) => f.name);
  const [moment, placements, assets] = await Promise.all([
    readJson<Moment>(id, 'moment.json', names),
    readJson<Placements>(id, 'broll-placements.json', names),
    readJson<Assets>(id, 'publishing-assets.json', names),
  ]);

  const video = h('video', {
    id: 'player',
    controls: true,
    preload: 'auto',
    src: await ticketed(`/api/projects/${encodeURIComponent(id)}/download`, id),
  });

  // B-roll placements on a bar as long as the reel; the marks are laid out once the duration is known.
  const bar = h('div', { class: 'placements', id: 'placements', title: 'B-roll cutaways in the reel' });
  const marks = (placements?.placed ?? []).map((p) =>
    h(
      'button',
      {
        type: 'button',
        class: 'mark',
        'data-key': p.key,
        title: `${p.key}: ${position(p.startS)}–${position(p.startS + p.durationS)}${p.note ? ` (${p.note})` : ''}`,
        onclick: () => (video.currentTime = p.startS),
      },
      p.key.split('_').pop() ?? p.key,
    ),
  );
  bar.append(...marks);
  const layout = () => {
    const total = video.duration || Number(result.durationS) || 1;
    (placements?.placed ?? []).forEach((p, i) => {
      const mark = marks[i]!;
      mark.style.left = `${(100 * p.startS) / total}%`;
      mark.style.width = `${Math.max(1, (100 * p.durationS) / total)}%`;
    });
  };
  video.addEventListener('loadedmetadata', layout);
  layout();

  // The transcript in reel time: the reel starts where the moment starts.
  const offset = moment?.startS ?? 0;
  const lines = (moment?.cues ?? []).map((cue) =>
    h(
      'li',
      {},
      h(
        'button',
        {
          type: 'button',
          class: 'line',
          'data-start': (cue.startS - offset).toFixed(2),
          onclick: () => {
            video.currentTime = Math.max(0, cue.startS - offset);
            void video.play().catch(() => {});
          },
        },
        h('time', {}, position(Math.max(0, cue.startS - offset))),
        ' ',
        cue.text,
      ),
    ),
  );
  video.addEventListener('timeupdate', () => {
    const t = video.currentTime + offset;
    (moment?.cues ?? []).forEach((cue, i) => lines[i]!.classList.toggle('now', t >= cue.startS && t < cue.endS));
  });

  const downloads = await Promise.all(
    files.map(async (f) =>
      h(
        'li',
        {},
        h('a', { href: await ticketed(`${fileUrl(id, f.name)}?download=1`, id), download: `${id}-${f.name}` }, f.name),
        h('span', { class: 'muted' }, ` ${bytes(f.bytes)}`),
      ),
    ),
  );

  const copy = assets
    ? h(
        'section',
        { class: 'card', id: 'copy' },
        h('h3', {}, 'Publishing copy ', h('small', { class: 'muted' }, `by ${assets.generator}`)),
        h(
          'ol',
          {},
          assets.descriptions.map((d) => h('li', {}, h('p', {}, d), copyButton(d))),
        ),
        h('p', {}, assets.hashtags.join(' '), ' ', copyButton(assets.hashtags.join(' '), 'Copy hashtags')),
        h('p', { class: 'muted' }, `Music mood: ${assets.music_mood}`),
      )
    : null;

  return h(
    'section',
    { class: 'review', id: 'review' },
    h(
      'div',
      { class: 'card player' },
      h('h3', {}, 'Review'),
      h('div', { class: 'watch' }, h('div', {}, video, bar), h('ol', { class: 'transcript', id: 'transcript' }, lines)),
      placements?.skipped.length
        ? h('p', { class: 'muted' }, 'Not placed: ', placements.skipped.map((s) => `${s.key} (${s.reason})`).join('; '))
        : null,
    ),
    h(
      'div',
      { class: 'columns' },
      copy,
      h('section', { class: 'card', id: 'downloads' }, h('h3', {}, 'Downloads'), h('ul', {}, downloads)),
    ),
  );
}
