"""reelflow's speech worker: offline speech-to-text with word timings, served on a Temporal task queue."""
