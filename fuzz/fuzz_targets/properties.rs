//! The properties editor on arbitrary bytes: see wso2_harden::formats::selfcheck::properties.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wso2_harden::formats::selfcheck::properties(data);
});
