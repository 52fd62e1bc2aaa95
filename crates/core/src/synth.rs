//! Deterministic synthetic data for the demo (labelled synthetic wherever shown).
