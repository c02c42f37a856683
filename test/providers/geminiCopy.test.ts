/** CONTENT through Gemini: the real SDK against the local server's generateContent. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishingAssetsSchema } from '../../src/domain/reel';
import { GeminiTextModel } from '../../src/providers/text/geminiText';
import type { CopyRequest } from '../../src/providers/text/types';
import type { GenerateContentBody, LocalVeoServer } from '../../src/offlineVeo/server';
import { tempDir } from '../helpers/media';
import { sampleMoment } from '../helpers/moment';
import { geminiAnswer, startOfflineVeo, TEST_API_KEY } from '../helpers/offlineVeo';

let server: LocalVeoServer;
let text: GeminiTextModel;
const seen: GenerateContentBody[] = [];
const moment = sampleMoment();

const goodCopy = {
  descriptions: ['One.', 'Two.', 'Three.'],
  hashtags: ['#podcast', '#durable'],
  music_mood: 'playful, light ukulele',
  veo3_prompts: [
    {
      variant: 'intro',
      prompt: 'Server racks humming in a dim room, no text',
      narrative_anchor: 'Because the state lives in memory',
      duration_s: 4,
    },
    {
      variant: 'broll',
      prompt: 'A notebook of handwritten checkpoints, close up',
      narrative_anchor: 'hand written checkpoint files rot quickly',
      duration_s: 6,
    },
  ],
};
const request: CopyRequest = {
  maxPrompts: 2,
  topic: 'durable workflows',
  narrative: { tone: 'playful', pacing: 'fast' },
  feedback: [],
};

beforeAll(async () => {
  server = await startOfflineVeo(await tempDir('gemini-copy'));
  text = new GeminiTextModel('gemini-2.5-flash', { apiKey: TEST_API_KEY, baseUrl: server.url });
});
afterAll(() => server?.stop());

function respond(body: Record<string, unknown>): void {
  server.setContentResponder((_model, sent) => {
    seen.push(sent);
    return body;
  });
}
const promptSent = () =>
  (seen.at(-1)?.contents ?? [])
    .flatMap((c) => c.parts ?? [])
    .map((p) => p.text ?? '')
    .join('\n');

describe('Gemini publishing copy', () => {
  it('sends the JSON schema, the timed transcript, the topic and the narrative, and names itself as generator', async () => {
    respond(geminiAnswer(goodCopy));
    const assets = await text.publishingAssets(moment, request);
    expect(PublishingAssetsSchema.parse(assets)).toEqual({ generator: 'gemini text (gemini-2.5-flash)', ...goodCopy });

    const sent = seen.at(-1)!;
    expect(sent.generationConfig?.responseMimeType).toBe('application/json');
    const schema = sent.generationConfig?.responseJsonSchema as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties).sort()).toEqual(['descriptions', 'hashtags', 'music_mood', 'veo3_prompts']);
    expect(schema.properties.veo3_prompts).toMatchObject({
      items: { properties: { duration_s: { enum: [4, 6, 8] } } },
    });

    const prompt = promptSent();
    expect(prompt).toContain(
      '[10.0–14.0 s] Because the state lives in memory. When the process dies, the memory dies with it.',
    );
    for (const cue of moment.cues) expect(prompt).toContain(cue.text);
    expect(prompt).toContain('Topic: durable workflows');
    expect(prompt).toContain('Tone: playful');
    expect(prompt).toContain('Pacing: fast');
    expect(prompt).toContain('exactly 2 B-roll prompts');
    expect(prompt).toMatch(/verbatim from ONE transcript line/);
    expect(prompt).not.toContain('previously');
    expect(prompt).not.toContain('rejected');
  });

  it('passes the QA gate’s feedback on the previous attempt', async () => {
    respond(geminiAnswer(goodCopy));
    await text.publishingAssets(moment, {
      ...request,
      feedback: ['veo3_prompts.1.narrative_anchor "rotting files" is not in the transcript: quote a line verbatim'],
    });
    expect(promptSent()).toContain(
      'Your previous answer was rejected:\n- veo3_prompts.1.narrative_anchor "rotting files" is not in the transcript',
    );
  });

  it('asks for fewer prompts when the moment has fewer lines than clips', async () => {
    respond(geminiAnswer({ ...goodCopy, veo3_prompts: goodCopy.veo3_prompts.slice(0, 1) }));
    await text.publishingAssets(sampleMoment(8, 9), { ...request, maxPrompts: 4 });
    expect(promptSent()).toContain('exactly 1 B-roll prompt (only 1: the moment is short)');
  });

  it.each([
    ['not JSON', geminiAnswer('Here are your descriptions: …'), /not JSON/],
    [
      'the wrong shape',
      geminiAnswer({
        ...goodCopy,
        descriptions: ['only one'],
        veo3_prompts: [{ ...goodCopy.veo3_prompts[0], duration_s: 5 }],
      }),
      /does not fit the schema: descriptions: .*veo3_prompts\.0\.duration_s/,
    ],
    ['a hashtag with a space', geminiAnswer({ ...goodCopy, hashtags: ['#rate limits'] }), /hashtags\.0/],
  ])('treats an answer that is %s as MODEL_OUTPUT_INVALID', async (_what, body, message) => {
    respond(body);
    await expect(text.publishingAssets(moment, request)).rejects.toMatchObject({
      type: 'MODEL_OUTPUT_INVALID',
      message: expect.stringMatching(message),
    });
  });

  it('reports a blocked prompt as CONTENT_BLOCKED', async () => {
    respond({ promptFeedback: { blockReason: 'SAFETY' }, candidates: [] });
    await expect(text.publishingAssets(moment, request)).rejects.toMatchObject({
      type: 'CONTENT_BLOCKED',
      message: expect.stringMatching(/prompt blocked: SAFETY/),
    });
  });
});
