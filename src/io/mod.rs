//! The only place besides [`crate::pipeline`] that touches files: reading inputs (codec by
//! magic bytes, folders, stdin) and writing outputs (temporary file, explicit finish,
//! rename).

pub mod read;
pub mod write;
