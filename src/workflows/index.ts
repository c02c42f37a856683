// The workflowsPath barrel: every workflow the worker serves.
export { reelPipeline } from './reel';
