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
 */
export type Backend = 'gemini-api' | 'vertex';

export const MODEL_SETTINGS = {
  video: 'VEO3_MODEL',
  text: 'GEMINI_TEXT_MODEL',
  image: 'GEMINI_IMAGE_MODEL',
} as const;
export type ModelKind = keyof typeof MODEL_SETTINGS;

export const DEFAULT_MODELS: Record<Backend, Record<ModelKind, string[]>> = {
  // No generateVideos model is known to be served here after 2026-10-22: the GA names are tried,
  // and a 404 says to switch to Vertex AI.
  'gemini-api': {
    video: ['veo-3.1-generate-001', 'veo-3.1-fast-generate-001'],
    text: ['gemini-2.5-flash', 'gemini-flash-latest'],
    image: ['gemini-2.5-flash-image', 'gemini-3.1-flash-image'],
  },
  vertex: {
    video: ['veo-3.1-generate-001', 'veo-3.1-fast-generate-001', 'veo-3.1-lite-generate-preview'],
    text: ['gemini-2.5-flash', 'gemini-flash-latest'],
    image: ['gemini-2.5-flash-image', 'gemini-3.1-flash-image'],
  },
};

/** What to tell someone whose configured models are all withdrawn. */
export function modelUnavailableMessage(kind: ModelKind, backend: Backend, tried: string[], detail: string): string {
  const setting = MODEL_SETTINGS[kind];
  const others = DEFAULT_MODELS[backend][kind].filter((m) => !tried.includes(m));
  const vertexHint =
    kind === 'video' && backend === 'gemini-api'
      ? '; Veo on the Gemini Developer API was withdrawn on 2026-10-22: use Vertex AI (GOOGLE_GENAI_USE_VERTEXAI=true, GOOGLE_CLOUD_PROJECT) with veo-3.1-generate-001 or veo-3.1-fast-generate-001'
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
