//! A local emulator of the Aura v1 API (axum), faithful to the spec and NOTES.md.
