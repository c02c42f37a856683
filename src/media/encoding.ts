/** Output encoding shared by every render, so segments can be joined by stream copy. */
export interface EncodingSettings {
  preset: string;
  crf: number;
  /** 0 lets ffmpeg choose. */
  threads: number;
}

export const REEL_WIDTH = 1080;
export const REEL_HEIGHT = 1920;
export const REEL_FPS = 30;

/** A reel's frame in pixels (an aspect preset of src/domain/render.ts). */
export interface FrameSize {
  width: number;
  height: number;
}
/** The default frame, 9:16. */
export const REEL_FRAME: FrameSize = { width: REEL_WIDTH, height: REEL_HEIGHT };

export function videoOutputOptions(encoding: EncodingSettings, fps = REEL_FPS): string[] {
  return [
    '-c:v',
    'libx264',
    '-preset',
    encoding.preset,
    '-crf',
    String(encoding.crf),
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(fps),
    ...(encoding.threads > 0 ? ['-threads', String(encoding.threads)] : []),
  ];
}

/**
 * The moment's audio. ffmpeg's AAC encoder defaults to its `twoloop` coder; `fast` with mid/side
 * stereo off costs least on both kinds of audio measured here (30 s, 48 kHz stereo, CPU s):
 * espeak speech 0.71–0.73 (fast with mid/side 1.04–1.12, twoloop 2.40), the bench's sample podcast
 * 0.34 (1.72, 0.75). Mid/side is where `fast` spends most when both channels are the same (a mono
 * source upmixed, as most podcasts are); without it each channel gets its 64 kb/s, where speech is
 * transparent.
 */
export const AUDIO_OUTPUT_OPTIONS = [
  '-c:a',
  'aac',
  '-aac_coder',
  'fast',
  '-aac_ms',
  '0',
  '-b:a',
  '128k',
  '-ar',
  '48000',
  '-ac',
  '2',
];
