//! The only place besides [`crate::pipeline`] that touches files: reading inputs (codec by
//! magic bytes, folders, stdin), writing outputs (temporary file, explicit finish,
//! rename), and the spill file that carries fingerprints from pass 1 to pass 2.

pub mod read;
pub mod spill;
pub mod write;
