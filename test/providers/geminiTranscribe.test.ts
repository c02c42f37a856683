/** Gemini transcription: the real SDK against the local server's generateContent, with real mp3 audio. */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, probe, run } from '../../src/media/ffmpeg';
import { geminiClient } from '../../src/providers/gemini';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import { transcribeWithGemini } from '../../src/providers/text/geminiTranscribe';
import type { GenerateContentBody, LocalVeoServer } from '../../src/offlineVeo/server';
import { tempDir } from '../helpers/media';
import { geminiAnswer, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';

let dir: string;
let server: LocalVeoServer;
let seen: GenerateContentBody[] = [];

/** The parts the SDK sent: inline audio and the prompt text. */
interface SentPart {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
}
const partsOf = (body: GenerateContentBody) => (body.contents ?? []).flatMap((c) => (c.parts ?? []) as SentPart[]);

/** Answers every request with `cues(n)` for the n-th request (0-based) and records the request. */
function respond(cues: (n: number) => unknown): void {
  seen = [];
  server.setContentResponder((_model, body) => {
    seen.push(body);
    return geminiAnswer(cues(seen.length - 1));
  });
}

/** A tone with pauses, as 16 kHz mono mp3 (what RESEARCH extracts). */
async function speechLikeAudio(file: string, durationS: number): Promise<string> {
  await run(
    ffmpeg()
      .input(`aevalsrc='0.4*sin(2*PI*220*t)*gt(mod(t,3),1)':s=16000:d=${durationS}`)
      .inputOptions(['-f', 'lavfi'])
      .outputOptions(['-ac', '1', '-c:a', 'libmp3lame', '-b:a', '32k'])
      .output(file),
  );
  return file;
}

beforeAll(async () => {
  dir = await tempDir('transcribe');
  server = await startOfflineVeo(dir);
});
afterAll(() => server?.stop());

describe('Gemini transcription', () => {
  it('sends the audio inline with a JSON schema for cues and returns the checked cues', async () => {
    const audio = await speechLikeAudio(path.join(dir, 'short.mp3'), 20);
    respond(() => ({
      cues: [
        { start_s: 0.5, end_s: 4.2, text: ' Welcome back to the show. ' },
        { start_s: 4.2, end_s: 9.9, text: 'Today: rate limits.' },
      ],
    }));
    const model = new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: server.url });
    const cues = await model.transcribe(audio);
    expect(cues).toEqual([
      { startS: 0.5, endS: 4.2, text: 'Welcome back to the show.' },
      { startS: 4.2, endS: 9.9, text: 'Today: rate limits.' },
    ]);
    expect(seen).toHaveLength(1);
    const sent = seen[0]!;
    expect(sent.generationConfig?.responseMimeType).toBe('application/json');
    expect(sent.generationConfig?.responseJsonSchema).toMatchObject({
      type: 'object',
      properties: { cues: { type: 'array', items: { properties: { start_s: {}, end_s: {}, text: {} } } } },
    });
    const inline = partsOf(sent).find((p) => p.inlineData)?.inlineData;
    expect(inline?.mimeType).toBe('audio/mp3');
    // The bytes sent are the real audio: decode them and measure.
    const echoed = path.join(dir, 'echoed.mp3');
    await writeFile(echoed, Buffer.from(inline?.data ?? '', 'base64'));
    expect((await probe(echoed)).durationS).toBeCloseTo(20, 0);
    expect(partsOf(sent).some((p) => /It is 20\.\d seconds long/.test(p.text ?? ''))).toBe(true);
  });

  it('cuts long audio into chunks and shifts each chunk’s cues by its start', async () => {
    const audio = await speechLikeAudio(path.join(dir, 'long.mp3'), 50);
    respond((n) => ({ cues: [{ start_s: 1, end_s: 3, text: `chunk ${n} says hi` }] }));
    const ai = geminiClient({ apiKey: TEST_API_KEY, baseUrl: server.url });
    const cues = await transcribeWithGemini(ai, 'gemini-2.5-flash', audio, { chunkS: 20 });
    expect(seen).toHaveLength(3);
    expect(cues.map((c) => c.text)).toEqual(['chunk 0 says hi', 'chunk 1 says hi', 'chunk 2 says hi']);
    expect(cues[0]!.startS).toBeCloseTo(1, 1);
    expect(cues[1]!.startS).toBeCloseTo(21, 0);
    expect(cues[2]!.startS).toBeCloseTo(41, 0);
    // Each request carries only its chunk (20 s, 20 s, then the last 10 s).
    const lengths = await Promise.all(
      seen.map(async (body, i) => {
        const file = path.join(dir, `sent-${i}.mp3`);
        await writeFile(file, Buffer.from(partsOf(body).find((p) => p.inlineData)?.inlineData?.data ?? '', 'base64'));
        return Math.round((await probe(file)).durationS);
      }),
    );
    expect(lengths).toEqual([20, 20, 10]);

    // A retried activity pays only for what is not transcribed yet: everything is.
    respond(() => {
      throw new Error('must not be asked again');
    });
    expect(await transcribeWithGemini(ai, 'gemini-2.5-flash', audio, { chunkS: 20 })).toEqual(cues);
    expect(seen).toHaveLength(0);
    expect((await readdir(path.join(dir, 'long-chunks-20s'))).filter((f) => f.endsWith('.cues.json'))).toHaveLength(3);
  });

  it.each([
    ['not JSON', 'Here is the transcript: hello', /not JSON/],
    ['the wrong shape', { cues: [{ start: 0, text: 'hi' }] }, /does not fit the schema: cues\.0\.start_s/],
    [
      'a cue that ends before it starts',
      { cues: [{ start_s: 5, end_s: 2, text: 'hi' }] },
      /cue 1 ends \(2 s\) before it starts/,
    ],
    [
      'cues out of order',
      {
        cues: [
          { start_s: 6, end_s: 8, text: 'b' },
          { start_s: 1, end_s: 3, text: 'a' },
        ],
      },
      /cue 2 starts at 1 s, before cue 1 .* out of order/,
    ],
    [
      'a cue past the end of the audio',
      { cues: [{ start_s: 3, end_s: 95, text: 'hi' }] },
      /outside the 12\.\d s of audio/,
    ],
  ])('treats an answer with %s as MODEL_OUTPUT_INVALID', async (what, body, message) => {
    const audio = await speechLikeAudio(path.join(dir, `bad-${what.replace(/\W+/g, '-')}.mp3`), 12);
    respond(() => body);
    const model = new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: server.url });
    await expect(model.transcribe(audio)).rejects.toMatchObject({
      type: 'MODEL_OUTPUT_INVALID',
      message: expect.stringMatching(message),
    });
  });

  it('reports a blocked request as CONTENT_BLOCKED', async () => {
    const audio = await speechLikeAudio(path.join(dir, 'blocked.mp3'), 12);
    server.setContentResponder(() => ({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, candidates: [] }));
    const model = new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: server.url });
    await expect(model.transcribe(audio)).rejects.toMatchObject({
      type: 'CONTENT_BLOCKED',
      message: expect.stringContaining('PROHIBITED_CONTENT'),
    });
  });
});
