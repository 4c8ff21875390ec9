//! Plans: the live model, the pure differ, ordered steps and their renderers.
