// The workflowsPath barrel: every workflow the worker serves.
export { brollGeneration } from './broll';
export { reelPipeline } from './reel';
export { promptToVideo, restitchVideo } from './video';
export { budgetLedger } from './budget';
export { episodeClips, episodeClip } from './episode';
export { listHostFiles, readHostFile } from './hostFiles';
