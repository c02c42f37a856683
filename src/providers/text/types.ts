import type { Storyboard, VideoRequest } from '../../domain/video';

/** Text generation that the pipeline needs. */
export interface TextModel {
  readonly name: string;
  storyboard(request: VideoRequest): Promise<Storyboard>;
}
