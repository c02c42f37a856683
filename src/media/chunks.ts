/**
 * Where a long reel's one encode is cut into chunks, so a crash mid-render redoes at most the
 * chunks being encoded (CHUNKS_AT_ONCE in finalRender.ts, two). Each chunk is encoded on its own (video only; its first frame is an IDR because
 * every encode starts with one), so chunks join by stream copy without a seam, and the moment's
 * audio, encoded once by FFMPEG_ENGINEER, is muxed in once over the joined picture.
 */
import { CROSSFADE_S } from './reframe';

/*
 * Seconds of reel per chunk (RENDER_CHUNK_S in src/config.ts, default 15) is the bound on what a
 * crash mid-render redoes: the two chunks in flight, ~16 CPU s each at 1080x1920 veryfast. Each chunk after
 * the first costs ~0.5 CPU s more than one command would (measured: a 4 s reel as 2 chunks, 3.89
 * against 3.33 CPU s, median of 6): a process, libass's cold glyph cache, and the accurate seek
 * (decoding from the source keyframe before the chunk's start, up to a GOP). 15 s keeps that near
 * 3 % of the encode; shorter chunks would bound less work but pay it more often. A whole number
 * of seconds is a whole number of frames at the reel's 30 fps, so boundaries fall on frames.
 */

/** A span of the reel in seconds from its start: [fromS, toS). */
export interface ReelSpan {
  fromS: number;
  toS: number;
}

/**
 * The chunks of a reel of `durationS` seconds: spans of about `chunkS` seconds back to back,
 * covering the reel. A tail shorter than half a chunk joins the last chunk, so a reel of up to 1.5
 * chunks is one chunk (rendered as one command, with no chunking at all). A boundary that falls
 * inside one of `avoid` moves to the end of it: the crossfades at layout changes (which must see
 * both framings from their first frame) and the cutaways and overlays (a chunk starting inside a
 * cutaway would decode and scale the clip's earlier frames only to drop them) — unless that would
 * make the chunk longer than two chunks (a long user cutaway; crossfades are short). So a chunk is
 * at most 2 × chunkS.
 */
export function planChunks(durationS: number, chunkS: number, avoid: ReelSpan[] = []): ReelSpan[] {
  if (!(durationS > 0)) throw new Error(`planChunks: the reel's duration must be positive (got ${durationS})`);
  const spans = [...avoid].sort((a, b) => a.fromS - b.fromS);
  const chunks: ReelSpan[] = [];
  let fromS = 0;
  while (durationS - fromS >= 1.5 * chunkS) {
    let toS = fromS + chunkS;
    for (const span of spans) {
      const after = Math.ceil(span.toS);
      if (toS > span.fromS && toS < span.toS && after - fromS <= 2 * chunkS) toS = after;
    }
    if (durationS - toS < chunkS / 2) break;
    chunks.push({ fromS, toS });
    fromS = toS;
  }
  chunks.push({ fromS, toS: durationS });
  return chunks;
}

/** The crossfade windows of a reel's segments (reel seconds), for planChunks' `avoid`. */
export function crossfadeSpans(segments: { startS: number; endS: number }[], transition: string): ReelSpan[] {
  if (transition !== 'fade') return [];
  const first = segments[0]?.startS ?? 0;
  return segments.slice(1).map((s) => ({
    fromS: s.startS - first,
    toS: s.startS - first + Math.min(CROSSFADE_S, (s.endS - s.startS) / 2),
  }));
}
