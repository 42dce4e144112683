//! Prints the OpenAPI document: `cargo run -q -p openapi > docs/openapi.json`.

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let text = match openapi::try_json() {
        Ok(text) => text,
        Err(err) => {
            eprintln!("openapi: the document could not be generated: {err}");
            return ExitCode::FAILURE;
        }
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("openapi: could not write the document: {err}");
            ExitCode::FAILURE
        }
    }
}
