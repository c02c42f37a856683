/**
 * The start form: a reel from an uploaded file, a server path or a URL, an episode (the same
 * source fields plus how many clips), or a prompt video. Above the button, the cost estimate of
 * what the form says, asked of the API as the form changes (nothing is uploaded to price it).
 */
import { api, ApiError, auth, call, errorText } from './api';
import { estimator } from './cost';
import { h } from './dom';
import { bytes } from './words';

type Kind = 'reel' | 'video' | 'episode';

const KINDS: { kind: Kind; label: string; ready: boolean; note?: string }[] = [
  { kind: 'reel', label: 'Reel from a long video', ready: true },
  { kind: 'video', label: 'Video from a prompt', ready: true },
  { kind: 'episode', label: 'Episode: the best N clips', ready: true },
];

function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), input, hint ? h('small', {}, hint) : null);
}

/** Uploads one file (the raw body, streamed by the browser) and answers its path on the server. */
async function upload(file: File, say: (text: string) => void): Promise<string> {
  say(`Uploading ${file.name} (${bytes(file.size)})…`);
  const answer = await call<{ path: string; error?: string }>(`/api/uploads?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    body: file,
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (!answer.ok) throw new ApiError(`Upload of ${file.name} failed: ${errorText(answer)}`, answer.status, answer.body);
  return answer.body.path;
}

export function startForm(onStarted: (id: string) => void): HTMLElement {
  const message = h('p', { class: 'message', role: 'status', id: 'start-message' });
  const say = (text: string, bad = false) => {
    message.textContent = text;
    message.classList.toggle('bad', bad);
  };

  const kindPicker = h(
    'fieldset',
    { class: 'kinds' },
    h('legend', {}, 'Make'),
    KINDS.map((k) =>
      h(
        'label',
        { class: k.ready ? '' : 'soon' },
        h('input', {
          type: 'radio',
          name: 'kind',
          value: k.kind,
          checked: k.kind === 'reel',
          disabled: !k.ready,
          onchange: () => show(),
        }),
        ` ${k.label}`,
        k.note ? h('small', {}, ` (${k.note})`) : null,
      ),
    ),
  );

  // Reel fields
  const sourceMode = h(
    'select',
    { id: 'source-mode', onchange: () => show() },
    h('option', { value: 'upload' }, 'Upload a file'),
    h('option', { value: 'path' }, 'A path on the server'),
    h('option', { value: 'url' }, 'A URL (http(s) or YouTube)'),
  );
  const sourceFile = h('input', { type: 'file', id: 'source-file', accept: 'video/*,.mkv,.mov,.m4v' });
  const transcriptFile = h('input', { type: 'file', id: 'transcript-file', accept: '.srt,.vtt' });
  const sourcePath = h('input', { type: 'text', id: 'source-path', placeholder: '/abs/path/episode.mp4' });
  const sourceUrl = h('input', { type: 'url', id: 'source-url', placeholder: 'https://example.com/episode.mp4' });
  const transcriptPath = h('input', { type: 'text', id: 'transcript-path', placeholder: 'optional .srt or .vtt' });
  const instructions = h('textarea', {
    id: 'instructions',
    rows: 3,
    placeholder:
      'Overlay logo.png at 0:02 for 3s. Cut to factory.mp4 when they say "the factory floor". Make it playful.',
  });
  const topic = h('input', { type: 'text', id: 'topic', placeholder: 'e.g. rate limits' });
  const duration = h('input', { type: 'number', id: 'duration', min: 30, max: 120, placeholder: '60–90' });
  const clips = h('input', { type: 'number', id: 'clips', min: 0, max: 16, placeholder: 'worker default' });
  const count = h('input', { type: 'number', id: 'count', min: 1, max: 10, value: '3' });
  const countRow = field('Clips in the episode', count, 'the best distinct moments, 1–10');
  const uploadRow = h(
    'div',
    { class: 'row' },
    field('Video', sourceFile),
    field('Transcript', transcriptFile, 'optional; without one, the video must carry subtitles'),
  );
  const pathRow = h('div', { class: 'row' }, field('Video path', sourcePath), field('Transcript path', transcriptPath));
  const urlRow = field('Video URL', sourceUrl);
  const reelFields = h(
    'div',
    { id: 'reel-fields' },
    field('Source', sourceMode),
    uploadRow,
    pathRow,
    urlRow,
    countRow,
    field('Instructions', instructions, 'plain words: overlays, cutaways, topic, length, tone'),
    h(
      'div',
      { class: 'row' },
      field('Topic', topic),
      field('Length (s)', duration),
      field('B-roll clips', clips),
      field('Aspect', h('output', {}, '9:16 (vertical)')),
    ),
  );

  // Prompt video fields
  const prompt = h('textarea', {
    id: 'prompt',
    rows: 2,
    placeholder: 'a lighthouse keeper climbs the stairs in a storm',
  });
  const aspect = h(
    'select',
    { id: 'aspect' },
    h('option', { value: '16:9' }, '16:9'),
    h('option', { value: '9:16' }, '9:16'),
  );
  const clipDuration = h(
    'select',
    { id: 'clip-duration' },
    ['8', '6', '4'].map((s) => h('option', { value: s }, `${s} s`)),
  );
  const scenes = h('input', { type: 'number', id: 'scenes', min: 1, max: 15, placeholder: 'storyboard decides' });
  const crossfade = h('input', { type: 'number', id: 'crossfade', min: 0, max: 2, step: 0.1, placeholder: '0' });
  const videoFields = h(
    'div',
    { id: 'video-fields' },
    field('Prompt', prompt),
    h(
      'div',
      { class: 'row' },
      field('Aspect', aspect),
      field('Clip length', clipDuration),
      field('Scenes', scenes),
      field('Crossfade (s)', crossfade),
    ),
  );

  const startButton = h('button', { type: 'submit', id: 'start-button' }, 'Start');
  const costSlot = h('div', { class: 'cost', id: 'cost-estimate', 'aria-live': 'polite' });
  const estimate = estimator(costSlot);
  const form = h(
    'form',
    { class: 'card', id: 'start-form' },
    h('h2', {}, 'Start a run'),
    kindPicker,
    reelFields,
    videoFields,
    costSlot,
    startButton,
    message,
  );

  const kind = (): Kind => (form.querySelector<HTMLInputElement>('input[name=kind]:checked')?.value as Kind) ?? 'reel';
  function show(): void {
    reelFields.hidden = kind() !== 'reel' && kind() !== 'episode';
    countRow.hidden = kind() !== 'episode';
    videoFields.hidden = kind() !== 'video';
    uploadRow.hidden = sourceMode.value !== 'upload';
    pathRow.hidden = sourceMode.value !== 'path';
    urlRow.hidden = sourceMode.value !== 'url';
  }

  const number = (input: HTMLInputElement) => (input.value.trim() === '' ? undefined : Number(input.value));
  const text = (input: HTMLInputElement | HTMLTextAreaElement) => input.value.trim() || undefined;

  /** The fields of a reel request other than its source. */
  const reelOptions = () => ({
    instructions: text(instructions),
    topic: text(topic),
    durationS: number(duration),
    clips: number(clips),
  });

  const videoRequest = () => ({
    prompt: text(prompt),
    aspectRatio: aspect.value,
    clipDurationS: Number(clipDuration.value),
    sceneCount: number(scenes),
    crossfadeS: number(crossfade),
  });

  /**
   * The estimate of what the form says now. Before an upload the source is only a name: the
   * estimate needs the clip count, lengths and instructions, not the video (a chosen transcript
   * file means no transcription is counted).
   */
  function refreshEstimate(): void {
    if (!auth.ready) return estimate(kind(), 'Enter the API token above to see the cost estimate.');
    if (kind() === 'video') {
      const request = videoRequest();
      return request.prompt
        ? estimate('generate', request)
        : estimate('generate', 'Cost estimate: enter a prompt to see what its scenes would cost.');
    }
    const mode = sourceMode.value;
    const source =
      (mode === 'upload' ? sourceFile.files?.[0]?.name : mode === 'path' ? text(sourcePath) : text(sourceUrl)) ??
      'source.mp4';
    const transcript =
      mode === 'upload' ? transcriptFile.files?.[0]?.name : mode === 'path' ? text(transcriptPath) : undefined;
    const request = { source, transcript, ...reelOptions() };
    if (kind() === 'episode') estimate('episode', { ...request, count: number(count) });
    else estimate('reel', request);
  }
  form.addEventListener('change', () => refreshEstimate());
  form.addEventListener('input', () => refreshEstimate());
  show();
  // Not asked on load: the page learns whether the API wants a token first, and asks nothing before.
  costSlot.textContent = 'Cost estimate: appears as you fill in the form (nothing is uploaded to price it).';

  async function reelRequest(): Promise<Record<string, unknown>> {
    let source: string | undefined;
    let transcript: string | undefined;
    if (sourceMode.value === 'upload') {
      const file = sourceFile.files?.[0];
      if (!file) throw new Error('Video: choose a file to upload.');
      source = await upload(file, say);
      const sidecar = transcriptFile.files?.[0];
      if (sidecar) transcript = await upload(sidecar, say);
    } else if (sourceMode.value === 'path') {
      source = text(sourcePath);
      transcript = text(transcriptPath);
      if (!source) throw new Error('Video path: enter the path of a video on the server.');
    } else {
      source = text(sourceUrl);
      if (!source) throw new Error('Video URL: enter an http(s) or YouTube URL.');
    }
    return { source, transcript, ...reelOptions() };
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!auth.ready) {
      say('Enter the API token above first: the page does nothing without it.', true);
      auth.onNeeded();
      return;
    }
    startButton.disabled = true;
    void (async () => {
      try {
        const [route, body] =
          kind() === 'reel'
            ? ['/api/reels', await reelRequest()]
            : kind() === 'episode'
              ? ['/api/episodes', { ...(await reelRequest()), count: number(count) }]
              : ['/api/generate', videoRequest()];
        say('Starting…');
        const { projectId } = await api<{ projectId: string }>(route, { method: 'POST', json: body });
        say(`Started ${projectId}.`);
        onStarted(projectId);
      } catch (err) {
        say((err as Error).message, true);
      } finally {
        startButton.disabled = false;
      }
    })();
  });
  return form;
}
