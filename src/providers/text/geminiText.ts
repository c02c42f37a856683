/**
 * Gemini as the text model: structured output (a zod schema turned into JSON Schema and sent as
 * responseJsonSchema), with the answer parsed back through the same zod schema. A malformed answer
 * is MODEL_OUTPUT_INVALID (asking again may help); a blocked one is CONTENT_BLOCKED.
 */
import type { GoogleGenAI } from '@google/genai';
import { z } from 'zod';
import { ErrorType } from '../../domain/errors';
import { describeIssues } from '../../domain/validation';
import type { Storyboard, VideoRequest } from '../../domain/video';
import { ModelStoryboardSchema } from '../../domain/video';
import { ProviderError } from '../errors';
import type { GeminiOptions } from '../gemini';
import { blockReason, geminiClient } from '../gemini';
import { ModelChain, ModelUnavailableError } from '../modelFallback';
import { beforePaidCall, recordUsage, usageOf } from '../usage';
import type { ParsedDirectives } from '../../domain/directives';
import type { MomentCandidate, MomentRanking } from '../../domain/moment';
import type { Cue, Moment, PublishingAssets } from '../../domain/reel';
import { geminiPublishingAssets } from './geminiCopy';
import type { CopyRequest, TextModel } from './types';
import { geminiDirectives } from './geminiDirectives';
import { geminiRanking } from './geminiRanking';
import { geminiEpisodeRanking } from './geminiEpisodeRanking';
import { transcribeWithGemini } from './geminiTranscribe';

export class GeminiTextModel implements TextModel {
  readonly name: string;
  readonly transcribes = true;
  private readonly ai: GoogleGenAI;
  private readonly models: ModelChain;

  /** `model`: one model, or the ordered fallback list of GEMINI_TEXT_MODEL. */
  constructor(model: string | string[], options: GeminiOptions) {
    const models = Array.isArray(model) ? model : [model];
    this.name = `gemini text (${models[0]})`;
    this.ai = geminiClient(options);
    this.models = new ModelChain('text', options.vertex ? 'vertex' : 'gemini-api', models);
  }

  /** Runs a call with the first model still served; a withdrawn last model is MODEL_UNAVAILABLE. */
  private async withModel<T>(work: (model: string) => Promise<T>): Promise<T> {
    try {
      return (await this.models.run(work)).result;
    } catch (err) {
      if (err instanceof ModelUnavailableError) throw new ProviderError(ErrorType.MODEL_UNAVAILABLE, err.message);
      throw err;
    }
  }

  /** Asks for JSON matching `schema` and returns it parsed and checked. */
  async generateJson<T>(schema: z.ZodType<T>, prompt: string): Promise<T> {
    const response = await this.withModel(async (model) => {
      await beforePaidCall({ kind: 'text', model });
      const answer = await this.ai.models.generateContent({
        model,
        contents: prompt,
        config: { responseMimeType: 'application/json', responseJsonSchema: z.toJSONSchema(schema) },
      });
      recordUsage(usageOf('text', model, answer));
      return answer;
    });
    const blocked = blockReason(response);
    if (blocked) throw new ProviderError(ErrorType.CONTENT_BLOCKED, blocked);
    const text = response.text;
    if (!text) throw new ProviderError(ErrorType.MODEL_OUTPUT_INVALID, 'the model returned no text');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProviderError(ErrorType.MODEL_OUTPUT_INVALID, `the model's answer is not JSON: ${text.slice(0, 120)}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new ProviderError(
        ErrorType.MODEL_OUTPUT_INVALID,
        `the model's answer does not fit the schema: ${describeIssues(parsed.error)}`,
      );
    return parsed.data;
  }

  async storyboard(request: VideoRequest): Promise<Storyboard> {
    const count = request.sceneCount ? `exactly ${request.sceneCount} scenes` : 'between 2 and 6 scenes';
    const answer = await this.generateJson(
      ModelStoryboardSchema,
      [
        `Plan a short video as a storyboard of ${count}, each ${request.clipDurationS} seconds long.`,
        `Video: ${request.prompt}`,
        `Style: ${request.style}. Aspect ratio: ${request.aspectRatio}.`,
        'For each scene give a prompt for its first frame, one for its last frame, a camera/motion prompt, and the transition into the next scene.',
        "Each scene's first frame must continue from the previous scene's last frame. Also give a style guide: a look and a palette of hex colours.",
      ].join('\n'),
    );
    if (request.sceneCount && answer.scenes.length !== request.sceneCount) {
      throw new ProviderError(
        ErrorType.MODEL_OUTPUT_INVALID,
        `asked for ${request.sceneCount} scenes, the model planned ${answer.scenes.length}`,
      );
    }
    return {
      generator: this.name,
      style_guide: answer.style_guide,
      scenes: answer.scenes.map((scene, i) => ({ index: i + 1, ...scene })),
    };
  }

  parseInstructions(instructions: string, feedback: string[]): Promise<ParsedDirectives> {
    return geminiDirectives(this, instructions, feedback);
  }

  rankMoments(candidates: MomentCandidate[], context: { topic?: string; feedback: string[] }): Promise<MomentRanking> {
    return geminiRanking(this, candidates, context);
  }

  rankEpisode(candidates: MomentCandidate[], context: { count: number; topic?: string; feedback: string[] }) {
    return geminiEpisodeRanking(this, candidates, context);
  }

  publishingAssets(moment: Moment, request: CopyRequest): Promise<PublishingAssets> {
    return geminiPublishingAssets(this, moment, request);
  }

  transcribe(audioPath: string): Promise<Cue[]> {
    return this.withModel((model) => transcribeWithGemini(this.ai, model, audioPath));
  }
}
