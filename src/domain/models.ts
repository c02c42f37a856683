/**
 * The Google models reelflow asks for by default, per backend, with the dates that decided them.
 * Each setting (VEO3_MODEL, GEMINI_TEXT_MODEL, GEMINI_IMAGE_MODEL) takes an ordered, comma-separated
 * fallback list: a model the provider answers "no longer available" for is skipped for the next.
 *
 * As reported (checked against @google/genai 2.32.0's model list where it names them):
 * - Veo 2.0 and 3.0 models were shut down on 2026-06-30.
 * - The Veo 3.1 previews on the Gemini Developer API were withdrawn on 2026-10-22 (HTTP 404 "is no
 *   longer available"); Google names Gemini Omni Flash (Interactions API) as the replacement there.
 * - Vertex AI serves veo-3.1-generate-001, veo-3.1-fast-generate-001 and a Lite preview.
 * - Gemini Omni Flash (`gemini-omni-flash-preview`, public preview since 2026-06-30) is reached
 *   through the Interactions API (`ai.interactions.create`, in @google/genai 2.32.0's model list),
 *   not generateVideos; VEO3_MODEL entries named `gemini-omni…` go that way (providers/video/omni.ts).
 */
export type Backend = 'gemini-api' | 'vertex';

export const MODEL_SETTINGS = {
  video: 'VEO3_MODEL',
  text: 'GEMINI_TEXT_MODEL',
  image: 'GEMINI_IMAGE_MODEL',
} as const;
export type ModelKind = keyof typeof MODEL_SETTINGS;

export const DEFAULT_MODELS: Record<Backend, Record<ModelKind, string[]>> = {
  // No generateVideos model is served here after 2026-10-22: Omni Flash is the named replacement.
  'gemini-api': {
    video: ['gemini-omni-flash-preview'],
    text: ['gemini-2.5-flash', 'gemini-flash-latest'],
    image: ['gemini-2.5-flash-image', 'gemini-3.1-flash-image'],
  },
  vertex: {
    video: ['veo-3.1-generate-001', 'veo-3.1-fast-generate-001', 'veo-3.1-lite-generate-preview'],
    text: ['gemini-2.5-flash', 'gemini-flash-latest'],
    image: ['gemini-2.5-flash-image', 'gemini-3.1-flash-image'],
  },
};

/**
 * The offline video server imitates Veo (and keeps its idempotency header), so offline runs ask for
 * a Veo name whatever the backend; VEO3_MODEL=gemini-omni-flash-preview takes the Omni path offline.
 */
export const OFFLINE_VIDEO_MODELS = ['veo-3.1-generate-001'];

/** What to tell someone whose configured models are all withdrawn. */
export function modelUnavailableMessage(kind: ModelKind, backend: Backend, tried: string[], detail: string): string {
  const setting = MODEL_SETTINGS[kind];
  const others = DEFAULT_MODELS[backend][kind].filter((m) => !tried.includes(m));
  const vertexHint =
    kind === 'video' && backend === 'gemini-api'
      ? '; Veo on the Gemini Developer API was withdrawn on 2026-10-22: use gemini-omni-flash-preview there, or Vertex AI (GOOGLE_GENAI_USE_VERTEXAI=true, GOOGLE_CLOUD_PROJECT) with veo-3.1-generate-001 or veo-3.1-fast-generate-001'
      : '';
  return (
    `the provider no longer serves ${tried.join(', ')} (${detail}). Set ${setting} to a model it serves` +
    (others.length > 0 ? `, e.g. ${setting}=${others.join(',')}` : '') +
    vertexHint
  );
}

/** Parses a comma-separated model list ("a, b" → ["a", "b"]). */
export function modelList(text: string): string[] {
  return text
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
}
