//! `attest standards`: checking, showing, importing and exporting unit standards.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(in crate::cli) enum StandardsCommand {
    /// Check every standard in a folder; lists every problem as file:line:column (exit 1 if any).
    Check {
        /// The folder [default: ATTEST_STANDARDS_DIR or ./standards].
        dir: Option<std::path::PathBuf>,
    },
    /// Print the outline of one standard: CODE (newest version) or CODE@VERSION.
    Show {
        /// e.g. 28268, 28268@2, CFACC33, "H12H 04".
        spec: String,
        /// The folder [default: ATTEST_STANDARDS_DIR or ./standards].
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
    /// Print the JSON Schema of the standards format.
    Schema,
    /// Turn a CASE 1.1 CFPackage (JSON) or a Moodle competency framework (CSV) into a standard
    /// YAML with draft evidence rules; every element not imported is listed by line and column
    /// (exit 1 if any, 2 if the file cannot be read as the format).
    Import {
        /// The format: `case` or `moodle-csv`.
        #[arg(long, value_parser = ["case", "moodle-csv"])]
        from: String,
        /// The file to read.
        file: std::path::PathBuf,
        /// Write the YAML here instead of to standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        /// The standard's code, where the file names none.
        #[arg(long)]
        code: Option<String>,
        /// The version, where the file gives none.
        #[arg(long)]
        version: Option<u32>,
        /// The framework, e.g. NZQA.
        #[arg(long)]
        framework: Option<String>,
    },
    /// Write one standard (CODE or CODE@VERSION) as a CASE 1.1 CFPackage (JSON), its evidence
    /// rules included; what CASE cannot carry is listed on standard error.
    Export {
        /// The format: `case`.
        #[arg(long, value_parser = ["case"])]
        to: String,
        /// e.g. 28268, 28268@2.
        spec: String,
        /// The folder [default: ATTEST_STANDARDS_DIR or ./standards].
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        /// Write the JSON here instead of to standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
}
