//! The startup-script editor on arbitrary bytes, as `.sh` or `.bat` (the first byte picks):
//! see wso2_harden::formats::selfcheck::script.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wso2_harden::formats::script::ScriptKind;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let kind = if pick & 1 == 0 {
        ScriptKind::Sh
    } else {
        ScriptKind::Bat
    };
    wso2_harden::formats::selfcheck::script(rest, kind);
});
