//! Output that must wait for the end of a run (the findings array of `check --format json`,
//! SARIF results, what `fix` leaves to do, the summary table's rows) without growing memory
//! with the fleet: kept in memory up to `IN_MEMORY`, then in an anonymous temp file (removed
//! by the system when the process ends, whatever happens). Without a usable temp directory it
//! stays in memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, Write};

/// Bytes kept in memory before moving to a temp file.
const IN_MEMORY: usize = 1 << 20;

#[derive(Debug, Default)]
pub struct Spill {
    memory: Vec<u8>,
    file: Option<File>,
    /// A temp file could not be made: stay in memory.
    no_file: bool,
}

impl Spill {
    pub fn new() -> Spill {
        Spill::default()
    }

    /// Everything written, in order, to read back.
    pub fn reader(mut self) -> io::Result<Box<dyn BufRead>> {
        if let Some(mut file) = self.file.take() {
            file.write_all(&self.memory)?;
            file.rewind()?;
            return Ok(Box::new(BufReader::new(file)));
        }
        Ok(Box::new(io::Cursor::new(self.memory)))
    }

    /// Copies everything written, in order, to `out`.
    pub fn copy_to(mut self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(mut file) = self.file.take() {
            file.write_all(&self.memory)?;
            file.rewind()?;
            io::copy(&mut file, out)?;
            return Ok(());
        }
        out.write_all(&self.memory)
    }
}

impl Write for Spill {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.memory.extend_from_slice(buf);
        if self.memory.len() >= IN_MEMORY && !self.no_file {
            if self.file.is_none() {
                match tempfile::tempfile() {
                    Ok(f) => self.file = Some(f),
                    Err(_) => {
                        self.no_file = true;
                        return Ok(buf.len());
                    }
                }
            }
            if let Some(f) = self.file.as_mut() {
                f.write_all(&self.memory)?;
                self.memory.clear();
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_goes_in_comes_out_in_order_past_the_memory_limit() {
        let mut spill = Spill::new();
        let mut want = Vec::new();
        for i in 0..50_000u32 {
            let line = format!("line {i} {}\n", "x".repeat((i % 97) as usize));
            spill.write_all(line.as_bytes()).unwrap();
            want.extend_from_slice(line.as_bytes());
        }
        assert!(want.len() > IN_MEMORY, "the test crosses the limit");
        assert!(spill.file.is_some() || spill.no_file);
        assert!(spill.no_file || spill.memory.len() < IN_MEMORY);
        let mut out = Vec::new();
        spill.copy_to(&mut out).unwrap();
        assert_eq!(out, want);
    }
}
