//! The only place besides [`crate::pipeline`] that touches files: reading inputs (codec by
//! magic bytes, folders, stdin), writing outputs (temporary file, explicit finish,
//! rename), the spill file that carries fingerprints from pass 1 to pass 2, the clean
//! records held from pass 2 to pass 3, and early writeback of outputs (the one thread
//! here, which only asks the kernel to start writing).

pub mod held;
pub mod read;
pub mod spill;
pub mod write;
pub mod writeback;
