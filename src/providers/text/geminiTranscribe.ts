/**
 * Transcription with Gemini: the audio goes inline (base64) with a JSON schema for timed cues, and
 * the answer is parsed back through the same zod schema and checked against the audio's length.
 *
 * Inline requests are limited to about 20 MB, so the audio is cut into chunks (10 minutes by
 * default, at most 64 kbit/s: under 5 MB each) whose cue times are shifted by the chunk's start.
 * Each chunk's cues are kept next to it, so a retried activity pays only for the chunks not yet
 * transcribed.
 */
import { beforePaidCall, recordUsage, usageOf } from '../usage';
import type { GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ErrorType } from '../../domain/errors';
import type { Cue } from '../../domain/reel';
import { CueSchema } from '../../domain/reel';
import { describeIssues } from '../../domain/validation';
import { ffmpeg, probe, run } from '../../media/ffmpeg';
import { ProviderError } from '../errors';
import { blockReason } from '../gemini';

/** Gemini's limit is on the whole request (~20 MB); base64 grows the audio by 4/3. */
export const INLINE_REQUEST_LIMIT_BYTES = 20 * 1024 * 1024;
export const INLINE_AUDIO_MAX_BYTES = 14 * 1024 * 1024;
export const TRANSCRIBE_CHUNK_S = 600;
/** Models round the last cue's end a little past the audio's end; more than this is a wrong answer. */
const END_TOLERANCE_S = 1.5;

export const TranscriptAnswerSchema = z.object({
  cues: z.array(
    z.object({
      start_s: z.number().min(0).describe('seconds from the start of this recording'),
      end_s: z.number().min(0).describe('seconds from the start of this recording'),
      text: z.string().describe('the words as spoken'),
    }),
  ),
});
type TranscriptAnswer = z.infer<typeof TranscriptAnswerSchema>;

export interface AudioChunk {
  file: string;
  startS: number;
  durationS: number;
}

export interface TranscribeOptions {
  /** Chunk length in seconds (tests use short chunks to exercise the split). */
  chunkS?: number;
}

export async function transcribeWithGemini(
  ai: GoogleGenAI,
  model: string,
  audioPath: string,
  options: TranscribeOptions = {},
): Promise<Cue[]> {
  const chunks = await splitAudio(audioPath, options.chunkS ?? TRANSCRIBE_CHUNK_S);
  const cues: Cue[] = [];
  for (const [index, chunk] of chunks.entries()) {
    const label =
      `${path.basename(audioPath)} ${chunks.length > 1 ? `chunk ${index + 1} of ${chunks.length} (from ${chunk.startS.toFixed(1)} s)` : ''}`.trim();
    const saved = `${chunk.file}.cues.json`;
    let chunkCues = await readSavedCues(saved);
    if (!chunkCues) {
      const answer = await askForCues(ai, model, chunk, label);
      chunkCues = checkCues(answer, chunk, label);
      await writeFile(`${saved}.tmp`, JSON.stringify(chunkCues));
      await rename(`${saved}.tmp`, saved);
    }
    cues.push(...chunkCues);
  }
  return cues;
}

async function askForCues(ai: GoogleGenAI, model: string, chunk: AudioChunk, label: string): Promise<TranscriptAnswer> {
  const size = (await stat(chunk.file)).size;
  if (size > INLINE_AUDIO_MAX_BYTES) {
    throw new ProviderError(
      ErrorType.TRANSCRIPT_MISSING,
      `cannot transcribe ${label}: ${(size / 1024 ** 2).toFixed(1)} MB of audio is over what fits in one inline ` +
        `Gemini request (${INLINE_REQUEST_LIMIT_BYTES / 1024 ** 2} MB with base64)`,
    );
  }
  const data = (await readFile(chunk.file)).toString('base64');
  await beforePaidCall({ kind: 'text', model });
  const response = await ai.models.generateContent({
    model,
    contents: [
      {
        role: 'user',
        parts: [
          { inlineData: { mimeType: 'audio/mp3', data } },
          {
            text: [
              `Transcribe this recording verbatim. It is ${chunk.durationS.toFixed(1)} seconds long.`,
              'Return the speech as cues in spoken order: each cue one sentence or phrase of at most about 10 seconds,',
              'with start_s and end_s in seconds from the start of this recording, and the words as spoken',
              '(no speaker labels, no descriptions of sounds or music). If nothing is spoken, return no cues.',
            ].join(' '),
          },
        ],
      },
    ],
    config: {
      responseMimeType: 'application/json',
      responseJsonSchema: z.toJSONSchema(TranscriptAnswerSchema),
      temperature: 0,
    },
  });
  recordUsage(usageOf('text', model, response));
  return parseAnswer(response, TranscriptAnswerSchema, label);
}

function parseAnswer<T>(response: GenerateContentResponse, schema: z.ZodType<T>, label: string): T {
  const blocked = blockReason(response);
  if (blocked) throw new ProviderError(ErrorType.CONTENT_BLOCKED, `transcribing ${label}: ${blocked}`);
  const text = response.text;
  if (!text)
    throw new ProviderError(ErrorType.MODEL_OUTPUT_INVALID, `transcribing ${label}: the model returned no text`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProviderError(
      ErrorType.MODEL_OUTPUT_INVALID,
      `transcribing ${label}: the model's answer is not JSON: ${text.slice(0, 120)}`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ProviderError(
      ErrorType.MODEL_OUTPUT_INVALID,
      `transcribing ${label}: the model's answer does not fit the schema: ${describeIssues(parsed.error)}`,
    );
  }
  return parsed.data;
}

/** Cue times must make sense for this chunk: in order, each ending after it starts, inside the audio. */
export function checkCues(answer: TranscriptAnswer, chunk: AudioChunk, label: string): Cue[] {
  const invalid = (message: string) =>
    new ProviderError(ErrorType.MODEL_OUTPUT_INVALID, `transcribing ${label}: ${message}`);
  const cues: Cue[] = [];
  let previousStart = 0;
  for (const [i, cue] of answer.cues.entries()) {
    const n = i + 1;
    if (cue.end_s <= cue.start_s) throw invalid(`cue ${n} ends (${cue.end_s} s) before it starts (${cue.start_s} s)`);
    if (cue.start_s < previousStart)
      throw invalid(
        `cue ${n} starts at ${cue.start_s} s, before cue ${n - 1} (${previousStart} s): cues are out of order`,
      );
    if (cue.start_s >= chunk.durationS || cue.end_s > chunk.durationS + END_TOLERANCE_S)
      throw invalid(`cue ${n} (${cue.start_s}–${cue.end_s} s) is outside the ${chunk.durationS.toFixed(1)} s of audio`);
    previousStart = cue.start_s;
    const text = cue.text.replace(/\s+/g, ' ').trim();
    if (!text) continue;
    cues.push({
      startS: round(chunk.startS + cue.start_s),
      endS: round(chunk.startS + Math.min(cue.end_s, chunk.durationS)),
      text,
    });
  }
  return cues;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

async function readSavedCues(file: string): Promise<Cue[] | undefined> {
  try {
    const parsed = z.array(CueSchema).safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Cuts the audio into mp3 chunks of `chunkS` seconds in `<audio>-chunks-<chunkS>s/`, with their
 * exact start times from ffmpeg's segment list. Low-bitrate mp3 is cut without re-encoding; any
 * other audio is re-encoded to mono 16 kHz 32 kbit/s (speech needs no more) so each chunk is small.
 * A finished split (its list written last) is reused.
 */
export async function splitAudio(audioPath: string, chunkS: number): Promise<AudioChunk[]> {
  const dir = `${audioPath.slice(0, audioPath.length - path.extname(audioPath).length)}-chunks-${chunkS}s`;
  const list = path.join(dir, 'chunks.csv');
  const existing = await readChunkList(list);
  if (existing) return existing;

  const info = await probe(audioPath).catch((err: Error) => {
    throw new ProviderError(ErrorType.TRANSCRIPT_MISSING, `cannot read the audio to transcribe: ${err.message}`);
  });
  if (!info.audio)
    throw new ProviderError(ErrorType.TRANSCRIPT_MISSING, `no audio stream to transcribe in ${audioPath}`);
  const bitrate = info.durationS > 0 ? ((await stat(audioPath)).size * 8) / info.durationS : Infinity;
  const copy = info.audio.codec === 'mp3' && bitrate <= 64_000;

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const pending = path.join(dir, 'chunks.csv.part');
  await run(
    ffmpeg(audioPath)
      .outputOptions([
        '-map',
        '0:a:0',
        ...(copy ? ['-c:a', 'copy'] : ['-c:a', 'libmp3lame', '-ac', '1', '-ar', '16000', '-b:a', '32k']),
        '-f',
        'segment',
        '-segment_format',
        'mp3',
        '-segment_time',
        String(chunkS),
        '-segment_list',
        pending,
        '-segment_list_type',
        'csv',
        '-reset_timestamps',
        '1',
      ])
      .output(path.join(dir, 'chunk-%03d.mp3')),
  );
  await rename(pending, list);
  const chunks = await readChunkList(list);
  if (!chunks || chunks.length === 0) {
    throw new ProviderError(ErrorType.TRANSCRIPT_MISSING, `ffmpeg cut no audio chunks out of ${audioPath}`);
  }
  return chunks;
}

/** ffmpeg's csv segment list: `name,start,end` per line. Undefined when missing or a chunk is gone. */
async function readChunkList(list: string): Promise<AudioChunk[] | undefined> {
  let text: string;
  try {
    text = await readFile(list, 'utf8');
  } catch {
    return undefined;
  }
  const dir = path.dirname(list);
  const present = new Set(await readdir(dir));
  const chunks: AudioChunk[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(',');
    if (fields.length < 3) continue;
    const end = Number(fields.pop());
    const start = Number(fields.pop());
    const name = fields.join(',');
    if (!present.has(name) || !Number.isFinite(start) || !Number.isFinite(end) || end <= start) return undefined;
    chunks.push({ file: path.join(dir, name), startS: start, durationS: end - start });
  }
  return chunks.length > 0 ? chunks : undefined;
}
