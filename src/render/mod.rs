//! Pure renderers of a plan: unified diff, text report, JSON, SARIF, CI formats. No I/O here
//! (but for appending the CI step summary).

pub mod ci;
pub mod diff;
pub mod fixes;
pub mod json;
pub mod mask;
pub mod report;
pub mod review;
pub mod sarif;
pub mod spill;
pub mod summary;
pub mod table;
pub mod words;

/// Colours for terminal output; plain when off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn paint(&self, style: anstyle::Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

pub const RED: anstyle::Style = anstyle::AnsiColor::Red.on_default();
pub const GREEN: anstyle::Style = anstyle::AnsiColor::Green.on_default();
pub const CYAN: anstyle::Style = anstyle::AnsiColor::Cyan.on_default();
pub const YELLOW: anstyle::Style = anstyle::AnsiColor::Yellow.on_default();
pub const BOLD: anstyle::Style = anstyle::Style::new().bold();
pub const DIM: anstyle::Style = anstyle::Style::new().dimmed();
