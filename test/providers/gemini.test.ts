/** Gemini text (structured output) and image models: the real SDK against the local server's generateContent. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/media/ffmpeg';
import { GeminiImageModel } from '../../src/providers/image/geminiImage';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import type { GenerateContentBody, LocalVeoServer } from '../../src/offlineVeo/server';
import { VideoRequestSchema } from '../../src/domain/video';
import { tempDir } from '../helpers/media';
import { geminiAnswer, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';

let dir: string;
let server: LocalVeoServer;
let text: GeminiTextModel;
const seen: GenerateContentBody[] = [];

const scene = (n: number) => ({
  start_frame_prompt: `first ${n}`,
  end_frame_prompt: `last ${n}`,
  motion_prompt: `move ${n}`,
  transition: 'cut',
});
const request = VideoRequestSchema.parse({ prompt: 'a fox in the snow', sceneCount: 3, clipDurationS: 4 });

beforeAll(async () => {
  dir = await tempDir('gemini');
  server = await startOfflineVeo(dir);
  text = new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: server.url });
});
afterAll(() => server?.stop());

function respond(body: Record<string, unknown>): void {
  server.setContentResponder((_model, request) => {
    seen.push(request);
    return body;
  });
}

describe('Gemini text model', () => {
  it('asks for JSON with a JSON schema and returns a checked storyboard', async () => {
    respond(
      geminiAnswer({ style_guide: { look: 'moody', palette: ['#112233'] }, scenes: [scene(1), scene(2), scene(3)] }),
    );
    const board = await text.storyboard(request);
    expect(board.generator).toBe('gemini text (gemini-2.5-flash)');
    expect(board.scenes.map((s) => s.index)).toEqual([1, 2, 3]);
    expect(board.scenes[1]).toMatchObject({ start_frame_prompt: 'first 2', motion_prompt: 'move 2' });
    const sent = seen.at(-1)!;
    expect(sent.generationConfig?.responseMimeType).toBe('application/json');
    expect(sent.generationConfig?.responseJsonSchema).toMatchObject({
      type: 'object',
      properties: { scenes: { type: 'array' } },
    });
    expect(JSON.stringify(sent.contents)).toContain('exactly 3 scenes');
  });

  it.each([
    ['not JSON', geminiAnswer('Sure! Here is your storyboard: {scenes: …'), /not JSON/],
    [
      'the wrong shape',
      geminiAnswer({ style_guide: { look: 'x', palette: [] }, scenes: [{ start_frame_prompt: 'a' }] }),
      /does not fit the schema: style_guide\.palette/,
    ],
    [
      'the wrong scene count',
      geminiAnswer({ style_guide: { look: 'x', palette: ['#000'] }, scenes: [scene(1)] }),
      /asked for 3 scenes, the model planned 1/,
    ],
    ['no text at all', { candidates: [{ content: { role: 'model', parts: [] }, finishReason: 'STOP' }] }, /no text/],
  ])('treats an answer that is %s as MODEL_OUTPUT_INVALID (asking again may help)', async (_what, body, message) => {
    respond(body);
    await expect(text.storyboard(request)).rejects.toMatchObject({
      type: 'MODEL_OUTPUT_INVALID',
      message: expect.stringMatching(message),
    });
  });

  it.each([
    ['a blocked prompt', { promptFeedback: { blockReason: 'SAFETY' }, candidates: [] }, /prompt blocked: SAFETY/],
    [
      'a safety stop',
      { candidates: [{ content: { role: 'model', parts: [] }, finishReason: 'SAFETY' }] },
      /response stopped: SAFETY/,
    ],
  ])('reports %s as CONTENT_BLOCKED', async (_what, body, message) => {
    respond(body);
    await expect(text.storyboard(request)).rejects.toMatchObject({
      type: 'CONTENT_BLOCKED',
      message: expect.stringMatching(message),
    });
  });
});

describe('Gemini image model', () => {
  it('returns the image cut to the exact frame size', async () => {
    server.setContentResponder(undefined);
    const image = new GeminiImageModel('gemini-2.5-flash-image', { apiKey: TEST_API_KEY, baseUrl: server.url });
    const output = path.join(dir, 'frame.png');
    await image.generate({ prompt: 'a fox in the snow, first frame', width: 720, height: 1280, output });
    expect((await probe(output)).video).toMatchObject({ width: 720, height: 1280 });
  });
});
