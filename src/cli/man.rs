//! `man` and `completions`: the man pages (clap_mangen) and shell completions (clap_complete),
//! rendered from the same clap definition as `--help`.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::{Cli, EXIT_CODES};

/// wso2-harden(1): clap's sections, then EXIT STATUS (every command's codes), then VERSION.
pub fn page(w: &mut dyn Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(Cli::command())
        .source(concat!("wso2-harden ", env!("CARGO_PKG_VERSION")));
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    man.render_subcommands_section(w)?;
    writeln!(w, ".SH \"EXIT STATUS\"")?;
    writeln!(w, ".nf")?;
    for line in EXIT_CODES.lines().skip(1) {
        writeln!(w, "{}", roff_line(line))?;
    }
    writeln!(w, ".fi")?;
    writeln!(w, ".SH \"SEE ALSO\"")?;
    writeln!(
        w,
        "wso2\\-harden patches, wso2\\-harden explain ID, wso2\\-harden policy \\-\\-example; the README."
    )?;
    man.render_version_section(w)
}

/// Writes wso2-harden.1 and one page per subcommand (wso2-harden-check.1, …) into `dir`.
pub fn write_pages(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(Cli::command(), dir)?;
    let mut main = Vec::new();
    page(&mut main)?;
    std::fs::write(dir.join("wso2-harden.1"), main)
}

/// One line of text for a no-fill block: backslashes and hyphens escaped, no leading control
/// character.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

pub fn completions(shell: clap_complete::Shell, w: &mut dyn Write) {
    clap_complete::generate(shell, &mut Cli::command(), "wso2-harden", w);
}
