//! Fuzzes the aura.yaml loader: any bytes must give `Ok` or located diagnostics that
//! render, never a panic, a hang or unbounded memory.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let env = |name: &str| (name == "SET").then(|| "value".to_owned());
    let result = auraform::config::load_bytes("aura.yaml", data.to_vec(), Path::new("."), &env);
    if let Err(errors) = result {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
        let mut out = String::new();
        let _ = handler.render_report(&mut out, &errors);
    }
});
