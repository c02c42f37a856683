/**
 * The shared @google/genai client for Gemini text and image models. The key stays in this object:
 * it travels as the x-goog-api-key header only, never into workflow inputs, results or logs.
 */
import { GoogleGenAI } from '@google/genai';

export interface GeminiOptions {
  apiKey?: string;
  vertex?: { project?: string; location?: string };
  /** Override the endpoint (tests: the local server). */
  baseUrl?: string;
}

export function geminiClient(options: GeminiOptions): GoogleGenAI {
  // Without a key, google-auth would go looking for cloud credentials (and probe the metadata server).
  if (!options.apiKey && !options.vertex?.project) {
    throw new Error(
      'Gemini needs GEMINI_API_KEY, or Vertex AI with GOOGLE_CLOUD_PROJECT and Application Default Credentials',
    );
  }
  return new GoogleGenAI({
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.vertex ? { vertexai: true, ...options.vertex } : {}),
    ...(options.baseUrl ? { httpOptions: { baseUrl: options.baseUrl } } : {}),
  });
}

/** Why a response carries nothing usable: a prompt block or a safety stop, if any. */
export function blockReason(response: {
  promptFeedback?: { blockReason?: string };
  candidates?: { finishReason?: string }[];
}): string | undefined {
  if (response.promptFeedback?.blockReason) return `prompt blocked: ${response.promptFeedback.blockReason}`;
  const finish = response.candidates?.[0]?.finishReason;
  if (finish && ['SAFETY', 'PROHIBITED_CONTENT', 'BLOCKLIST', 'SPII', 'IMAGE_SAFETY', 'RECITATION'].includes(finish))
    return `response stopped: ${finish}`;
  return undefined;
}
